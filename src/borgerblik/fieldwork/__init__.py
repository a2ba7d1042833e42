"""Fieldwork: letters and messages, three channels, the outbox sender, schedule, hotline and monitor."""

from borgerblik.fieldwork.channels import Channel, DigitalPostFolder, Envelope, NotReachable, Recipient
from borgerblik.fieldwork.email_channel import SmtpChannel, SmtpError
from borgerblik.fieldwork.hotline import (
    TOPICS,
    CallListEntry,
    HotlineError,
    phone_follow_up,
    record_call,
    unreachable_list,
)
from borgerblik.fieldwork.letters import (
    MESSAGE_KINDS,
    RenderedMessage,
    SurveyContact,
    opt_out_link,
    personal_link,
    render_message,
)
from borgerblik.fieldwork.monitor import CurvePoint, FieldworkStatus, StatusRow, fieldwork_status
from borgerblik.fieldwork.monitor_page import monitor_html
from borgerblik.fieldwork.pdf_letters import FontMissing, LetterPress
from borgerblik.fieldwork.schedule import (
    FieldworkPlan,
    WaveSummary,
    channels_for,
    message_key,
    queue_invitations,
    queue_reminder,
    reachable_channels,
)
from borgerblik.fieldwork.sender import SendReport, send_due
from borgerblik.fieldwork.simulation import (
    CitizenAction,
    SimulationResult,
    run_simulated_fieldwork,
)
from borgerblik.fieldwork.sms import (
    QuietHours,
    SmsGateway,
    SmsGatewayError,
    SmsSegments,
    normalise_phone,
    sms_segments,
)
from borgerblik.fieldwork.sms_sink import SmsSink

__all__ = [
    "MESSAGE_KINDS",
    "TOPICS",
    "CallListEntry",
    "CitizenAction",
    "Channel",
    "CurvePoint",
    "DigitalPostFolder",
    "Envelope",
    "FieldworkPlan",
    "FieldworkStatus",
    "FontMissing",
    "HotlineError",
    "LetterPress",
    "NotReachable",
    "QuietHours",
    "Recipient",
    "RenderedMessage",
    "SendReport",
    "SimulationResult",
    "SmsGateway",
    "SmsGatewayError",
    "SmsSegments",
    "SmsSink",
    "SmtpChannel",
    "SmtpError",
    "StatusRow",
    "SurveyContact",
    "WaveSummary",
    "channels_for",
    "fieldwork_status",
    "message_key",
    "monitor_html",
    "normalise_phone",
    "opt_out_link",
    "personal_link",
    "phone_follow_up",
    "queue_invitations",
    "queue_reminder",
    "reachable_channels",
    "run_simulated_fieldwork",
    "record_call",
    "render_message",
    "send_due",
    "sms_segments",
    "unreachable_list",
]
