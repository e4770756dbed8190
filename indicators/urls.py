from django.urls import path

from indicators import overview

app_name = "indicators"

urlpatterns = [
    path("overview/indicators/", overview.IndicatorListView.as_view(), name="indicator_list"),
    path("overview/findings/", overview.FindingListView.as_view(), name="finding_list"),
]
