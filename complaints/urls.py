from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    # public
    path("complaints/new/", views.new, name="new"),
    path("complaints/new/done/", views.filed, name="filed"),
    path("complaints/track/", views.track, name="track"),
    path("complaints/track/<str:number>/", views.tracked, name="tracked"),
    path("complaints/faq/", views.faq, name="faq"),
    path("complaints/attachments/<int:pk>/", views.attachment, name="attachment"),
    # requester
    path("complaints/mine/", views.mine, name="mine"),
    path("complaints/mine/<str:number>/", views.my_ticket, name="my_ticket"),
    # staff
    path("complaints/desk/", views.operator, name="operator"),
    path("complaints/desk/call/", views.call_new, name="call_new"),
    path("complaints/window/new/", views.window_new, name="window_new"),
    path("complaints/inbox/", views.inbox, name="inbox"),
    path("complaints/tickets/<str:number>/", views.detail, name="detail"),
    path("complaints/tickets/<str:number>/route/", views.route, name="route"),
    path("complaints/tickets/<str:number>/sign/", views.sign, name="sign"),
    path("complaints/tickets/<str:number>/reply/", views.reply, name="reply"),
    path("complaints/tickets/<str:number>/callback/", views.callback, name="callback"),
    # supervisor
    path("complaints/figures/", views.figures, name="figures"),
    path("complaints/standards/", views.standards, name="standards"),
    path("complaints/standards/<int:pk>/retire/", views.standard_retire, name="standard_retire"),
]
