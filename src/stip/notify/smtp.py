"""E-mail over SMTP: a multipart message with a plain-text and an HTML part."""

from __future__ import annotations

import base64
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from stip.settings import SmtpSettings


def build(
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    attachments: list[dict[str, str]] | None = None,
) -> EmailMessage:
    """`attachments`: dicts with filename, content_type and data_b64 (as stored in the outbox)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="stip.local")
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for attachment in attachments or []:
        maintype, subtype = attachment["content_type"].split("/", 1)
        message.add_attachment(
            base64.b64decode(attachment["data_b64"]),
            maintype=maintype,
            subtype=subtype,
            filename=attachment["filename"],
        )
    return message


def send(settings: SmtpSettings, message: EmailMessage, timeout: float = 15.0) -> None:
    if not settings.host:
        raise RuntimeError("SMTP is not configured: set STIP_SMTP_HOST or [smtp] host")
    with smtplib.SMTP(settings.host, settings.port, timeout=timeout) as client:
        if settings.starttls:
            client.starttls()
        if settings.username and settings.password is not None:
            client.login(settings.username, settings.password.get_secret_value())
        client.send_message(message)
