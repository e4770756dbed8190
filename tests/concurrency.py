"""Running a piece of a test in a connection of its own, as a second user's request would."""

import threading

from django.db import connection


def in_own_connection(function):
    """(thread, outcome): ``function`` run in a thread, which Django gives its own database connection;
    ``outcome`` gets its "result" or the "error" it raised, for the test to assert on."""
    outcome = {}

    def run():
        try:
            outcome["result"] = function()
        except Exception as error:  # reported to the test, which asserts on it
            outcome["error"] = error
        finally:
            connection.close()

    return threading.Thread(target=run), outcome
