from django.urls import path

from . import views

app_name = "credit"
urlpatterns = [
    path("credit/blacklist/", views.blacklist, name="blacklist"),
    path("credit/me/", views.me, name="me"),
    path("credit/me/records/<int:pk>/", views.my_record, name="my_record"),
    path("credit/me/records/<int:pk>/repair/", views.apply_repair, name="apply_repair"),
    path("credit/me/records/<int:pk>/objection/", views.raise_objection, name="raise_objection"),
    path("credit/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("credit/lookup/", views.lookup, name="lookup"),
    path("credit/officer/", views.desk, name="officer"),
    path("credit/officer/records/new/", views.record_new, name="record_new"),
    path("credit/officer/records/<int:pk>/", views.record_detail, name="record"),
    path("credit/officer/records/<int:pk>/revoke/", views.record_revoke, name="record_revoke"),
    path("credit/officer/repairs/<int:pk>/", views.repair_decide, name="repair"),
    path("credit/officer/objections/<int:pk>/", views.objection_decide, name="objection"),
    path("credit/officer/policies/", views.policies, name="policies"),
    path("credit/officer/policies/<str:severity>/", views.policy_edit, name="policy_edit"),
    path("credit/officer/push/", views.push_status, name="push"),
    path("credit/officer/subjects/<int:pk>/", views.subject_file, name="subject_file"),
]
