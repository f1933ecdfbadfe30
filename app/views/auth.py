"""Sign in, sign out, registration, password reset and invitations."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app import services
from app.extensions import db, limiter
from app.forms import ConfirmForm, ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from app.i18n import select_locale
from app.security import next_target, safe_redirect
from app.tokens import TokenError, TokenExpired

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_email_key() -> str:
    return "login-email:" + services.normalise_email(request.form.get("email", ""))[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_email_key)
def login():
    if current_user.is_authenticated:
        return safe_redirect(next_target())
    form = LoginForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        if user is not None and user.active and services.check_password(user, form.password.data):
            login_user(user, remember=form.remember.data)
            services.record_login(user)
            db.session.commit()
            flash(_("You are signed in."), "success")
            return safe_redirect(next_target(), "main.index")
        form.password.errors.append(_("The e-mail address or the password is wrong."))
    return render_template("auth/login.html", form=form, next=next_target())


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("main.index"))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    invitation = None
    token = request.args.get("invitation", "")
    if token:
        try:
            invitation = services.invitation_for_token(token)
        except TokenError:
            flash(_("The invitation link is not valid any more. Ask for a new invitation."), "error")
    form = RegisterForm()
    if request.method == "GET" and invitation is not None:
        form.email.data = invitation.email
    if form.validate_on_submit():
        problems = services.password_problems(form.password.data, form.email.data, form.name.data)
        form.password.errors.extend(problems)
        if invitation is not None and services.normalise_email(form.email.data) != invitation.email:
            form.email.errors.append(_("Register with the address the invitation was sent to."))
        if not form.errors:
            try:
                user = services.register_user(form.email.data, form.name.data, form.password.data, select_locale())
                if invitation is not None:
                    services.accept_invitation(invitation, user)
            except services.ServiceError as exc:
                db.session.rollback()
                form.email.errors.append(str(exc))
            else:
                db.session.commit()
                login_user(user)
                flash(_("Your account has been created."), "success")
                if invitation is not None:
                    return redirect(url_for("orgs.organisation"))
                return redirect(url_for("orgs.start"))
    return render_template("auth/register.html", form=form, invitation=invitation)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(_("If an account exists for this address, we sent a link for choosing a new password. "
                "The link works for one hour."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        user = services.user_for_reset_token(token)
    except TokenExpired:
        flash(_("The link has expired. Ask for a new one."), "error")
        return redirect(url_for("auth.forgot_password"))
    except TokenError:
        flash(_("The link is not valid. It may already have been used. Ask for a new one."), "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        form.password.errors.extend(services.password_problems(form.password.data, user.email, user.name))
        if not form.errors:
            try:
                services.change_password(user, form.password.data, expected_hash=user.password_hash)
            except services.ServiceError as exc:  # the link was used at the same moment
                db.session.rollback()
                flash(str(exc), "error")
                return redirect(url_for("auth.forgot_password"))
            db.session.commit()
            flash(_("Your new password is saved. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    try:
        invitation = services.invitation_for_token(token)
    except TokenExpired:
        flash(_("The invitation has expired. Ask the organisation for a new one."), "error")
        return redirect(url_for("main.index"))
    except TokenError:
        flash(_("The invitation link is not valid any more. Ask for a new invitation."), "error")
        return redirect(url_for("main.index"))
    if not current_user.is_authenticated:
        if services.find_user_by_email(invitation.email) is not None:
            flash(_("Sign in to accept the invitation."), "info")
            return redirect(url_for("auth.login", next=request.path))
        return redirect(url_for("auth.register", invitation=token))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.accept_invitation(invitation, current_user)
        except services.ServiceError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("You joined %(org)s.", org=invitation.organisation.name), "success")
            return redirect(url_for("orgs.organisation"))
    return render_template("auth/invitation.html", invitation=invitation, form=form)
