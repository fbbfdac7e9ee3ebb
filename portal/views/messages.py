"""消息中心 and 提醒方式: the signed-in user's own messages and how they want to be told."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import notifications
from portal.forms_notifications import NotificationSettingsForm
from portal.models import Message

PAGE_SIZE = 20


@login_required
def message_list(request):
    unread_only = request.GET.get("show") == "unread"
    rows = notifications.own_messages(request.user, unread_only=unread_only)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/messages.html", {
        "page": page, "unread_only": unread_only, "unread": notifications.unread_count(request.user),
    })


@login_required
@require_POST
def message_read(request, pk):
    try:
        notifications.mark_read(request.user, pk)
    except Message.DoesNotExist:
        raise Http404 from None
    return redirect(_next(request, "messages"))


@login_required
@require_POST
def message_open(request, pk):
    """查看: mark the message read and go to the page it is about."""
    try:
        notifications.mark_read(request.user, pk)
    except Message.DoesNotExist:
        raise Http404 from None
    link = notifications.own_messages(request.user).filter(pk=pk).values_list("link", flat=True).first()
    return redirect(link if link and link.startswith("/") and not link.startswith("//") else "messages")


@login_required
@require_POST
def messages_read_all(request):
    changed = notifications.mark_read(request.user)
    if changed:
        messages.success(request, _("已将 %(n)s 条消息标为已读。") % {"n": changed})
    return redirect("messages")


@login_required
def profile(request):
    """个人设置: the account's details and 提醒方式."""
    user = request.user
    prefs = notifications.preferences(user)
    sms_available = notifications.sms_enabled()
    initial = {"by_email": prefs.by_email and bool(user.email), "by_sms": prefs.by_sms and bool(user.mobile) and sms_available,
               "email": user.email}
    form = NotificationSettingsForm(request.POST or None, initial=initial, user=user, sms_available=sms_available)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        notifications.update_preferences(
            user, by_email=data["by_email"], by_sms=data["by_sms"] if not form.fields["by_sms"].disabled else prefs.by_sms,
            email=data["email"], request=request,
        )
        messages.success(request, _("提醒方式已保存。"))
        return redirect("profile")
    return render(request, "portal/profile.html", {"form": form})


def _next(request, default):
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default
