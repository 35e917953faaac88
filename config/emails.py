"""Emails written once, in HTML, and sent with a plain-text version derived from it.

A message whose content is also a page (a statement of reasons, in the author's account and in
the decision email) is written in one template; the text part is made from its HTML here, so
the two never say different things.
"""

import hashlib
import re
from html.parser import HTMLParser

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from config.faults import fault_point

# Elements that stand on their own lines; those in _PARAGRAPHS get a blank line around them.
_BLOCKS = {
    "address",
    "article",
    "blockquote",
    "div",
    "dl",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "header",
    "main",
    "ol",
    "p",
    "section",
    "table",
    "tr",
    "ul",
}
_PARAGRAPHS = {"blockquote", "dl", "h1", "h2", "h3", "h4", "ol", "p", "ul"}
_HIDDEN = {"head", "script", "style", "title"}


class _TextWriter(HTMLParser):
    """Collects text and line breaks (ints: how many newlines an element asks for)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str | int] = []
        self.links: list[tuple[str, int]] = []  # (href, where the link's text starts)
        self.hidden = 0

    def _break(self, lines: int) -> None:
        self.parts.append(lines)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self._break(2 if tag in _PARAGRAPHS else 1)
        elif tag in ("br", "dt"):
            self._break(1)
        elif tag == "li":
            self._break(1)
            self.parts.append("- ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self._break(2 if tag in _PARAGRAPHS else 1)
        elif tag in ("li", "dd"):
            self._break(1)
        elif tag == "dt":
            self.parts.append(": ")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(p for p in self.parts[start:] if isinstance(p, str)).strip()
            if href and not href.startswith("#") and label != href:
                self.parts.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    def text(self) -> str:
        out: list[str] = []
        pending = 0
        for part in self.parts:
            if isinstance(part, int):
                pending = max(pending, part)
            elif pending and not part.strip():
                continue  # the indentation between two blocks
            else:
                if pending:
                    out.append("\n" * pending)
                    part = part.lstrip()
                    pending = 0
                out.append(re.sub(r"\s+", " ", part))
        lines = (re.sub(r" +", " ", line).strip() for line in "".join(out).split("\n"))
        return "\n".join(lines).strip() + "\n"


def html_to_text(html: str) -> str:
    """The text of an HTML message, as a reader of plain-text email expects it: one line per
    paragraph, heading and list item, "term: definition", and each link's address after its
    words."""
    writer = _TextWriter()
    writer.feed(html)
    writer.close()
    return writer.text()


def send_html_email(*, subject: str, html: str, to: str, key: str) -> bool:
    """Send `html` with its plain-text version (html_to_text) as the main body, once per
    `key` (send_email_once)."""
    message = EmailMultiAlternatives(subject=subject, body=html_to_text(html), to=[to])
    message.attach_alternative(html, "text/html")
    return send_email_once(message, key=key)


def is_undeliverable(address: str) -> bool:
    """Addresses on ".invalid" (RFC 2606: never a real domain), which the platform gives the
    accounts of imported reviews and of erased members instead of their address."""
    return address.rsplit("@", 1)[-1].lower().endswith(".invalid")


def message_id(key: str) -> str:
    """The Message-ID of the email with this idempotency key: the same for every attempt."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "voix.example"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def send_email_once(message: EmailMessage, *, key: str) -> bool:
    """Send `message` unless an email with this idempotency key was sent; True if sent now.

    Tasks are delivered at least once (acks_late): twice after a worker was lost, or to two
    workers at once. The key's row is written in the transaction that sends: a second
    delivery waits on the row until the first commits, then finds it and sends nothing. If
    the worker dies between the mail server's acceptance and the commit, the email is sent
    again (no transaction spans SMTP and the database): the copy has the same Message-ID,
    derived from the key, by which mail software recognises a duplicate.
    """
    from accounts.models import SentEmail

    if all(is_undeliverable(address) for address in message.to):
        # An imported or erased account: its address is a placeholder on a reserved domain.
        return False
    message.extra_headers["Message-ID"] = message_id(key)
    with transaction.atomic():
        _, created = SentEmail.objects.get_or_create(key=key, defaults={"sent_at": timezone.now()})
        if not created:
            return False
        fault_point("email-send")  # tests/faults: a slow or stuck mail server
        message.send()
    return True
