"""Sign in, sign out, registration, password reset and invitations."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app import services, sessions, signup
from app.actions import attempt, save, undo
from app.concurrency import late_write_lock
from app.extensions import limiter
from app.forms import (
    ConfirmEmailForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResendConfirmationForm,
    ResetPasswordForm,
)
from app.i18n import select_locale
from app.models import User
from app.security import client_address, next_target, safe_redirect
from app.tokens import TokenError, TokenExpired

bp = Blueprint("auth", __name__)


def sign_in(user: User, remember: bool = False) -> None:
    """Sign `user` in on this device: a new session record (app.sessions), the login audited,
    everything committed, then the cookies. The only way the app signs anyone in."""
    sessions.start(user, client_address(), request.user_agent.string)
    services.record_login(user)
    save()
    login_user(user, remember=remember)


def sign_out() -> None:
    """End this device's session (copies of its cookies stop working too) and clear the cookies."""
    if current_user.is_authenticated and current_user.login_session is not None:
        sessions.revoke(current_user, current_user.login_session, "logout")
        save()
    logout_user()


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def _login_pair_key() -> str:
    """The client address and the account together: a stranger's guesses from one address do not
    lock the account's owner out on another."""
    email = services.normalise_email(request.form.get("email", ""))[:254]
    return f"login:{client_address()}|{email}"


@bp.route("/login", methods=["GET", "POST"])
@late_write_lock
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_pair_key)
@limiter.limit(_login_address_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return safe_redirect(next_target())
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and not user.email_confirmed:
            # The right password of an account whose sign-up link was not followed yet: never signed in.
            resend = ResendConfirmationForm(token=signup.make_resend_token(user))
            return render_template("auth/confirm_first.html", form=resend)
        if user is not None:
            sign_in(user, remember=form.remember.data)
            flash(_("You are signed in."), "success")
            return safe_redirect(next_target(), "main.index")
        form.password.errors.append(_("The e-mail address or the password is wrong."))
    return render_template("auth/login.html", form=form, next=next_target())


@bp.post("/logout")
@login_required
def logout():
    sign_out()
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
        if not form.errors and invitation is None:
            # The same answer whether or not the address has an account (app.signup).
            signup.sign_up(form.email.data, form.name.data, form.password.data, select_locale())
            save()
            return render_template("auth/check_email.html")
        if not form.errors:
            # The invitation link proves the address: the account is confirmed and signed in at once.
            try:
                user = services.register_user(
                    form.email.data, form.name.data, form.password.data, select_locale(), confirmed=True
                )
                services.accept_invitation(invitation, user)
            except services.ServiceError as exc:
                undo()
                form.email.errors.append(str(exc))
            else:
                sign_in(user)
                flash(_("Your account has been created."), "success")
                return redirect(url_for("orgs.organisation"))
    return render_template("auth/register.html", form=form, invitation=invitation)


@bp.route("/signup/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    try:
        user = signup.user_for_confirmation_token(token)
    except TokenExpired:
        flash(_("The link has expired. Sign in with your e-mail address and password to get a new one."), "error")
        return redirect(url_for("auth.login"))
    except TokenError:
        flash(_("The link is not valid. It may already have been used: then sign in."), "error")
        return redirect(url_for("auth.login"))
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        if not services.confirm_email(user, "signup_link"):  # the link was used at this very moment
            undo()
            flash(_("The link is not valid. It may already have been used: then sign in."), "error")
            return redirect(url_for("auth.login"))
        if current_user.is_authenticated:
            sign_out()  # someone else was signed in on this browser
        sign_in(user)
        flash(_("Your e-mail address is confirmed and your account is ready."), "success")
        return redirect(url_for("orgs.start"))
    return render_template("auth/confirm_email.html", form=form, user=user)


@bp.post("/signup/confirm/resend")
@limiter.limit(lambda: current_app.config["CONFIRMATION_RESEND_RATE_LIMIT"])
def resend_confirmation():
    form = ResendConfirmationForm()
    if form.validate_on_submit():
        signup.resend_confirmation(form.token.data)  # nothing when the button is stale or not needed
        save()
    return render_template("auth/check_email.html")


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        save()
        flash(
            _(
                "If an account exists for this address, we sent a link for choosing a new password. "
                "The link works for one hour."
            ),
            "info",
        )
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
                services.reset_password(user, form.password.data, expected_hash=user.password_hash)
            except services.ServiceError as exc:  # the link was used at the same moment
                undo()
                flash(str(exc), "error")
                return redirect(url_for("auth.forgot_password"))
            save()
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
    if form.validate_on_submit() and attempt(lambda: services.accept_invitation(invitation, current_user)):
        flash(_("You joined %(org)s.", org=invitation.organisation.name), "success")
        return redirect(url_for("orgs.organisation"))
    return render_template("auth/invitation.html", invitation=invitation, form=form)
