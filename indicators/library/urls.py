from django.urls import path

from indicators.library import views

urlpatterns = [
    path("library/", views.LibraryEntryListView.as_view(), name="library_entry_list"),
    path("library/suggest/", views.library_suggest, name="library_suggest"),
    path("library/new/", views.library_entry_edit, name="library_entry_new"),
    path("library/<int:pk>/", views.library_entry_edit, name="library_entry_edit"),
    path("library/<int:pk>/retire/", views.library_entry_retire, name="library_entry_retire"),
    path("library/<int:pk>/confirm/", views.library_entry_confirm, name="library_entry_confirm"),
    path("library/<int:pk>/promote/", views.library_entry_promote, name="library_entry_promote"),
    path("library/propose/", views.library_propose, name="library_propose"),
    path("library/export/", views.library_export, name="library_export"),
    path("library/import/", views.library_import, name="library_import"),
]
