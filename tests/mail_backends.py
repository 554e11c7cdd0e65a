"""Mail backends of the fault tests, which run ``manage.py`` in processes of their own."""

import time

from django.core.mail.backends.console import EmailBackend as ConsoleBackend


class SlowConsoleBackend(ConsoleBackend):
    """A mail server that takes half a second per digest, written to standard output: two runs
    started together are then still at work on the same editors at the same time."""

    def send_messages(self, email_messages):
        time.sleep(0.5)
        return super().send_messages(email_messages)
