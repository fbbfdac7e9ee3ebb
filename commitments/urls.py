from django.urls import path

from . import views

app_name = "commitments"

urlpatterns = [
    # public
    path("letters/verify/", views.verify_copy, name="verify_copy"),
    path("letters/verify/<str:number>/", views.verify_letter, name="verify_letter"),
    path("publicity/", views.publicity, name="publicity"),
    # owner, scoped staff, superusers
    path("letters/<str:number>.pdf", views.letter_pdf, name="letter_pdf"),
    path("proofs/<int:pk>/", views.proof_download, name="proof"),
    path("notices/<int:pk>.pdf", views.notice_pdf, name="notice_pdf"),
    # applicants
    path("applications/", views.my_applications, name="my_applications"),
    path("applications/new/", views.start, name="start"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/requirements/<int:requirement_pk>/commit/", views.sign, name="sign"),
    path("applications/<int:pk>/requirements/<int:requirement_pk>/proof/", views.upload, name="upload"),
    path("applications/<int:pk>/submit/", views.submit, name="submit"),
    path("applications/<int:pk>/withdraw/", views.withdraw_application, name="withdraw"),
    path("applications/<int:pk>/letters/<str:number>/withdraw/", views.withdraw_commitment,
         name="withdraw_commitment"),
    # window desk
    path("desk/", views.desk, name="desk"),
    path("desk/subject/", views.desk_subject, name="desk_subject"),
    path("desk/register/", views.desk_register, name="desk_register"),
    path("desk/file/", views.desk_file, name="desk_file"),
    path("desk/applications/<int:pk>/", views.desk_application, name="desk_application"),
    path("desk/applications/<int:pk>/requirements/<int:requirement_pk>/sign/", views.desk_sign, name="desk_sign"),
    path("desk/applications/<int:pk>/requirements/<int:requirement_pk>/proof/", views.desk_upload,
         name="desk_upload"),
    path("desk/applications/<int:pk>/<str:action>/", views.desk_action, name="desk_action"),
]
