"""The application gunicorn serves loads with the garbage collector tuned for serving pages."""

import gc


def test_loading_the_wsgi_application_freezes_it_and_collects_less_often(db):
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        from perfgoals import wsgi

        wsgi.tune_garbage_collection()
        assert gc.get_threshold()[0] == wsgi.GC_FIRST_GENERATION_THRESHOLD
        assert gc.get_freeze_count() > frozen
        assert callable(wsgi.application)
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
