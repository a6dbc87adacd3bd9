"""Sign-up, log-in, password reset and the profile page (with personal API tokens)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from pic_events.accounts import auth, limits, services
from pic_events.accounts import signup as signups
from pic_events.accounts.forms import (
    ApiTokenForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResendVerificationForm,
    ResetPasswordForm,
    SignupForm,
)
from pic_events.core.validation import ServiceValidationError, apply_errors_to_form
from pic_events.extensions import csrf, limiter

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no '//' or '\\' tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _next_or_home() -> str:
    return safe_next(request.args.get("next")) or url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(services.login_rate_limit, methods=["POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_next_or_home())
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(_("Welcome back, %(name)s.", name=user.name), "success")
            return redirect(_next_or_home())
        form.form_errors.append(_("Wrong e-mail or password. Check both and try again."))
    return render_template(
        "accounts/login.html", form=form, next=safe_next(request.args.get("next"))
    )


SIGNUP_EMAIL_KEY = "signup_email"


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(services.signup_rate_limit, methods=["POST"])
@limiter.limit(services.mail_address_rate_limit, key_func=limits.form_email, methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            # The same answer whether the address is new or has an account already.
            signups.sign_up(
                **form.values(),
                locale=_browser_locale(),
                next_path=safe_next(request.args.get("next")),
            )
        except ServiceValidationError as error:
            apply_errors_to_form(form, error.errors)
        else:
            session[SIGNUP_EMAIL_KEY] = services.normalise_email(form.email.data)
            return redirect(url_for("accounts.check_mail"))
    return render_template("accounts/signup.html", form=form)


@bp.get("/signup/check-your-mail")
def check_mail():
    email = session.get(SIGNUP_EMAIL_KEY)
    if current_user.is_authenticated:
        email = current_user.email
    form = ResendVerificationForm(email=email)
    return render_template("accounts/check_mail.html", form=form, email=email)


@bp.post("/verify-email/resend")
@limiter.limit(services.signup_rate_limit)
@limiter.limit(services.mail_address_rate_limit, key_func=limits.form_email)
def resend_verification():
    form = ResendVerificationForm()
    if not form.validate_on_submit():
        flash(_("Type the e-mail address you signed up with."), "warning")
        return redirect(url_for("accounts.check_mail"))
    signups.resend_verification(form.email.data)
    session[SIGNUP_EMAIL_KEY] = services.normalise_email(form.email.data)
    flash(
        _(
            "If an account with this address waits for confirmation, we have sent it a new "
            "link. Check your inbox (and the spam folder)."
        ),
        "info",
    )
    return redirect(url_for("accounts.check_mail"))


@bp.get("/verify-email/<token>")
def verify_email(token: str):
    try:
        user, confirmed_now, next_path = signups.verify_email(token)
    except signups.InvalidVerifyLink as error:
        if error.expired:
            message = _("This link has expired. Ask for a new one below.")
        else:
            message = _("This link is not valid. Ask for a new one below.")
        flash(message, "warning")
        return redirect(url_for("accounts.check_mail"))
    session.pop(SIGNUP_EMAIL_KEY, None)
    if current_user.is_authenticated and current_user.id == user.id:
        flash(_("Your e-mail address is confirmed. You can register for meetings."), "success")
        return redirect(safe_next(next_path) or url_for("main.home"))
    if confirmed_now and not current_user.is_authenticated:
        login_user(user)
        welcome = _("Your e-mail address is confirmed. Welcome, %(name)s!", name=user.name)
        flash(welcome, "success")
        return redirect(safe_next(next_path) or url_for("main.home"))
    flash(_("Your e-mail address is confirmed. Log in to go on."), "success")
    return redirect(url_for("accounts.login", next=safe_next(next_path)))


def _browser_locale() -> str | None:
    """The language a visitor chose in the navigation, else their browser's."""
    return auth.visitor_locale()


@bp.post("/language")
@csrf.exempt
def set_language():
    """The language switch in the navigation: a member's profile keeps it, a visitor's
    session does (and it becomes the new account's language at sign-up). A visitor's form
    carries no CSRF token, so that public pages stay the same for everyone; a member's
    does, since it changes the profile."""
    if current_user.is_authenticated and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    locale = request.form.get("locale")
    if locale in current_app.config["LANGUAGES"]:
        session[auth.LOCALE_SESSION_KEY] = locale
        if current_user.is_authenticated:
            services.set_locale(current_user, locale)
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You are logged out. See you soon."), "info")
    return redirect(url_for("main.home"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(services.login_rate_limit, methods=["POST"])
@limiter.limit(services.mail_address_rate_limit, key_func=limits.form_email, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(
            _(
                "If an account uses this address, we have sent it a link to choose a new "
                "password. Check your inbox (and the spam folder)."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.verify_password_reset_token(token)
    except services.InvalidResetLink as error:
        return _invalid_reset_link(error)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except services.InvalidResetLink as error:
            return _invalid_reset_link(error)
        except ServiceValidationError as error:
            apply_errors_to_form(form, error.errors)
        else:
            flash(_("Your password is changed. Log in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


def _invalid_reset_link(error: services.InvalidResetLink):
    if error.expired:
        message = _("This link has expired. Ask for a new one below.")
    else:
        message = _(
            "This link is not valid any more (it may have been used already). "
            "Ask for a new one below."
        )
    flash(message, "warning")
    return redirect(url_for("accounts.forgot_password"))


# Profile ----------------------------------------------------------------------------------


def _render_profile(status: int = 200, **forms):
    profile_form = forms.get("profile_form") or ProfileForm(obj=current_user, prefix="profile")
    profile_form.fill_from(current_user)
    return (
        render_template(
            "accounts/profile.html",
            profile_form=profile_form,
            password_form=forms.get("password_form") or ChangePasswordForm(prefix="password"),
            token_form=forms.get("token_form") or ApiTokenForm(prefix="token"),
            new_token=forms.get("new_token"),
        ),
        status,
    )


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user, prefix="profile")
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, **form.values())
        except ServiceValidationError as error:
            apply_errors_to_form(form, error.errors)
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.profile"))
    return _render_profile(profile_form=form)


@bp.post("/profile/password")
@limiter.limit(services.login_rate_limit)
@limiter.limit(services.account_rate_limit, key_func=limits.account)
@login_required
def change_password():
    form = ChangePasswordForm(prefix="password")
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except ServiceValidationError as error:
            apply_errors_to_form(form, error.errors)
        else:
            login_user(current_user._get_current_object())  # this session goes on; others end
            flash(_("Your password is changed."), "success")
            return redirect(url_for("accounts.profile"))
    return _render_profile(400, password_form=form)


@bp.post("/profile/tokens")
@limiter.limit(services.login_rate_limit)
@limiter.limit(services.account_rate_limit, key_func=limits.account)
@login_required
def create_token():
    form = ApiTokenForm(prefix="token")
    if form.validate_on_submit():
        try:
            token, plaintext = services.create_api_token(
                current_user, form.name.data, form.expires_in_days.data
            )
        except ServiceValidationError as error:
            apply_errors_to_form(form, error.errors)
        else:
            # Rendered, not redirected: the plain token must not travel through the session.
            flash(
                _("Token “%(name)s” created. Copy it now: it is shown only once.", name=token.name),
                "success",
            )
            return _render_profile(new_token=plaintext)
    return _render_profile(400, token_form=form)


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = services.revoke_api_token(current_user, token_id)
    if token is None:
        abort(404)
    flash(
        _("Token “%(name)s” revoked: programs using it are locked out.", name=token.name), "success"
    )
    return redirect(url_for("accounts.profile"))
