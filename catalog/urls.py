from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    # public
    path("catalog/", views.index, name="index"),
    path("catalog/matters/<int:pk>/", views.matter_detail, name="matter"),
    path("catalog/matters/<int:pk>/letter.pdf", views.letter_pdf, name="letter_pdf"),
    path("catalog/export.csv", views.export_csv, name="export_csv"),
    path("catalog/export.json", views.export_json, name="export_json"),
    path("catalog/agencies/<int:agency_pk>/versions/", views.versions, name="versions"),
    path("catalog/versions/<int:a>/compare/<int:b>/", views.compare, name="compare"),
    # editors
    path("catalog/manage/", views.manage, name="manage"),
    path("catalog/manage/new/", views.new_version, name="new_version"),
    path("catalog/manage/<int:pk>/", views.catalogue_detail, name="catalogue"),
    path("catalog/manage/<int:pk>/matters/new/", views.matter_edit, name="matter_add"),
    path("catalog/manage/<int:pk>/matters/<int:matter_pk>/edit/", views.matter_edit, name="matter_edit"),
    path("catalog/manage/<int:pk>/matters/<int:matter_pk>/delete/", views.matter_delete, name="matter_delete"),
    path("catalog/manage/<int:pk>/services/new/", views.service_add, name="service_add"),
    path("catalog/manage/<int:pk>/risks/", views.risk_add, name="risk_add"),
    path("catalog/manage/<int:pk>/import/", views.import_file, name="import"),
    path("catalog/manage/<int:pk>/export.xlsx", views.catalogue_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("catalog/manage/<int:pk>/export.csv", views.catalogue_export, {"fmt": "csv"}, name="export_catalogue_csv"),
    path("catalog/manage/<int:pk>/<str:action>/", views.transition, name="transition"),
    path("catalog/manage/matters/<int:matter_pk>/", views.staff_matter, name="staff_matter"),
    path("catalog/manage/matters/<int:matter_pk>/basis-reason/", views.basis_reason, name="basis_reason"),
    # reviewers and approvers
    path("catalog/review/", views.review_queue, name="review"),
    path("catalog/approve/", views.approval_queue, name="approve"),
    path("catalog/overview/", views.overview, name="overview"),
    path("catalog/aggregation/", views.aggregation, name="aggregation"),
]
