"""The signed-in person's own profile."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app import services, sessions
from app.actions import attempt, save
from app.forms import ChangePasswordForm, ConfirmForm, ProfileForm

bp = Blueprint("account", __name__, url_prefix="/profile")


@bp.route("", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(current_user, form.name.data, form.locale.data)
        session["lang"] = form.locale.data
        save()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("account.profile"))
    return render_template(
        "account/profile.html",
        form=form,
        password_form=ChangePasswordForm(formdata=None),
        sessions=sessions.active_sessions(current_user),
        this_session=current_user.login_session,
    )


@bp.post("/sessions/sign-out-others")
@login_required
def sign_out_everywhere():
    """End every session of the person but this device's (a copied or forgotten sign-in elsewhere)."""
    form = ConfirmForm()
    if form.validate_on_submit():
        ended = sessions.revoke_all(current_user, current_user, "signed_out_elsewhere", keep=current_user.login_session)
        save()
        flash(
            ngettext(
                "You were signed out on %(num)d other device. This device stays signed in.",
                "You were signed out on %(num)d other devices. This device stays signed in.",
                ended,
            ),
            "success",
        )
    return redirect(url_for("account.profile"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not services.check_password(current_user, form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        form.password.errors.extend(
            services.password_problems(form.password.data, current_user.email, current_user.name)
        )
        if not form.errors and attempt(
            lambda: services.change_password(
                current_user,
                form.password.data,
                keep=current_user.login_session,
                expected_hash=current_user.password_hash,
            ),
            field=form.current,
        ):
            flash(_("Your new password is saved. You were signed out on your other devices."), "success")
            return redirect(url_for("account.profile"))
    return render_template("account/password.html", form=form)
