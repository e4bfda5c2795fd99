"""Outgoing mail: messages built with the email package and handed to a
backend.  The example site never talks to an SMTP server: its backend
keeps the last messages in memory (the contact page shows the one it
just "sent"), and the console backend prints them."""
import collections
import email.policy
import email.utils
import smtplib
import ssl
import sys
import textwrap
from email.message import EmailMessage


def build_message(subject, body, from_addr, to_addrs, reply_to=None, html=None, domain="example.org"):
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["Subject"] = subject
    msg["From"] = email.utils.formataddr(from_addr) if isinstance(from_addr, tuple) else from_addr
    msg["To"] = ", ".join(email.utils.formataddr(a) if isinstance(a, tuple) else a for a in to_addrs)
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Date"] = email.utils.formatdate(localtime=False)
    msg["Message-ID"] = email.utils.make_msgid(domain=domain)
    text = "\n\n".join(textwrap.fill(p, 72) for p in body.split("\n\n"))
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


class BaseBackend:
    def send(self, messages):
        """Sends each message; returns how many went."""
        raise NotImplementedError


class MemoryBackend(BaseBackend):
    """Keeps the last `keep` messages (this process's only)."""

    def __init__(self, keep=20):
        self.outbox = collections.deque(maxlen=keep)

    def send(self, messages):
        for m in messages:
            self.outbox.append(m)
        return len(messages)


class ConsoleBackend(BaseBackend):
    def __init__(self, stream=None):
        self.stream = stream or sys.stderr

    def send(self, messages):
        for m in messages:
            self.stream.write(m.as_string())
            self.stream.write("\n" + "-" * 72 + "\n")
        return len(messages)


class SMTPBackend(BaseBackend):
    """Sends through an SMTP server, STARTTLS when it offers it.  One
    connection per batch: mail is rare on this site."""

    def __init__(self, host="localhost", port=25, username=None, password=None, timeout=10):
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.timeout = timeout

    def send(self, messages):
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password)
            for m in messages:
                smtp.send_message(m)
        return len(messages)


class NullBackend(BaseBackend):
    def send(self, messages):
        return len(messages)


def get_backend(name):
    return {"memory": MemoryBackend, "console": ConsoleBackend, "null": NullBackend,
            "smtp": SMTPBackend}[name]()
