"""The citizen's questionnaire on the web, and the interviewer screen, as one Starlette app."""

from borgerblik.web.app import NONCE_HEADER, app_from_env, create_app
from borgerblik.web.i18n import LANGUAGES, Translator

__all__ = ["LANGUAGES", "NONCE_HEADER", "Translator", "app_from_env", "create_app"]
