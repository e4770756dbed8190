from django.urls import path

from indicators import overview
from indicators.library.urls import urlpatterns as library_urlpatterns

app_name = "indicators"

urlpatterns = [
    path("overview/indicators/", overview.IndicatorListView.as_view(), name="indicator_list"),
    path("overview/findings/", overview.FindingListView.as_view(), name="finding_list"),
    *library_urlpatterns,
]
