from indicators.library.urls import urlpatterns as library_urlpatterns

app_name = "indicators"

urlpatterns = [*library_urlpatterns]
