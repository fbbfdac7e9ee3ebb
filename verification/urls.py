from django.urls import path

from . import views

app_name = "verification"
urlpatterns = [
    path("verification/queue/", views.queue, name="queue"),
    path("verification/queue/claim-next/", views.claim_next, name="claim_next"),
    path("verification/tasks/<int:pk>/", views.task_detail, name="task"),
    path("verification/tasks/<int:pk>/claim/", views.claim, name="claim"),
    path("verification/tasks/<int:pk>/release/", views.release, name="release"),
    path("verification/tasks/<int:pk>/data-check/", views.data_check, name="data_check"),
    path("verification/tasks/<int:pk>/assistance/", views.send_assistance, name="send_assistance"),
    path("verification/tasks/<int:pk>/inspection/", views.assign_inspection, name="assign_inspection"),
    path("verification/tasks/<int:pk>/document-review/", views.document_review, name="document_review"),
    path("verification/tasks/<int:pk>/conclude/", views.conclude, name="conclude"),
    path("verification/assistance/inbox/", views.inbox, name="inbox"),
    path("verification/assistance/<int:pk>/", views.assistance_detail, name="assistance"),
    path("verification/assistance/<int:pk>/reply/", views.assistance_reply, name="assistance_reply"),
    path("verification/assistance/<int:pk>/refuse/", views.assistance_refuse, name="assistance_refuse"),
    path("verification/assistance/<int:pk>/reply.pdf", views.assistance_reply_pdf, name="assistance_pdf"),
    path("verification/inspections/", views.inspections, name="inspections"),
    path("verification/inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("verification/photos/<int:pk>/", views.photo, name="photo"),
    path("verification/figures/", views.figures, name="figures"),
    path("verification/rectification/<int:pk>/proof/", views.rectification_proof, name="rectification_proof"),
    path("verification/legislative/", views.legislative_candidates, name="legislative"),
    path("verification/legislative/<str:key>/", views.legislative_matter, name="legislative_matter"),
    path("spot-checks/", views.spot_checks, name="spot_checks"),
    path("spot-checks/<int:pk>/", views.spot_check_detail, name="spot_check"),
]
