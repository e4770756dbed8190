"""An uploaded file as a preview form posts it: read only when it is there and within the size limit."""

import re

from django.conf import settings


def read_upload(request, field="file"):
    """(name, bytes, None) of the file posted as ``field``, or (None, None, why in Chinese) when none was
    chosen or it is larger than PERFGOALS_MAX_UPLOAD_BYTES: a file past the limit is refused by its
    declared size, before any of it is read into memory."""
    upload = request.FILES.get(field)
    if upload is None:
        return None, None, "请选择要上传的文件。"
    limit = settings.PERFGOALS_MAX_UPLOAD_BYTES
    if upload.size > limit:
        return None, None, f"文件大小 {file_size(upload.size)}，超过上限 {file_size(limit)}。"
    return upload.name or "", upload.read(), None


def safe_name(name):
    """A file name fit to show and to keep beside a stashed upload (no path, no markup), at most 100 characters."""
    return re.sub(r"[^\w.\-（）()]", "_", name or "")[:100]


def file_size(size):
    """A number of bytes as a person reads it: 1.5 MB, or 800 KB below one megabyte."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(size / 1024, 1):.0f} KB"
