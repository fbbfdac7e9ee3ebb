from django.urls import path

from . import views

# No namespace: the names predate the app (templates and tests use them as they are).
urlpatterns = [
    path("supervision/", views.dashboard, name="supervision"),
    path("supervision/assessment/", views.assessment, name="supervision_assessment"),
    path("supervision/assessment.xlsx", views.assessment_xlsx, name="supervision_assessment_xlsx"),
    path("supervision/assessment.pdf", views.assessment_pdf, name="supervision_assessment_pdf"),
    path("supervision/notices/", views.notices, name="supervision_notices"),
    path("supervision/notices/new/", views.notice_new, name="supervision_notice_new"),
    path("supervision/notices/<int:pk>/", views.notice_detail, name="supervision_notice"),
    path("supervision/notices/<int:pk>/edit/", views.notice_edit, name="supervision_notice_edit"),
    path("supervision/notices/<int:pk>/approve/", views.notice_approve, name="supervision_notice_approve"),
    path("supervision/notices/<int:pk>/publish/", views.notice_publish, name="supervision_notice_publish"),
    path("transparency/", views.transparency, name="transparency"),
    path("transparency/notices/", views.public_notices, name="transparency_notices"),
    path("transparency/notices/<int:pk>/", views.public_notice, name="transparency_notice"),
]
