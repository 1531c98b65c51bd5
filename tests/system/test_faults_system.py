"""Faults met by ``python -m bot run`` as a process, against :class:`FakeBotApiServer` on
127.0.0.1: the webhook, the operator's mistakes (content, settings), the token in output, a
``kill -9`` in a burst and SIGTERM during an outage. The faults injected into an in-process
``Application`` are in ``tests/unit/telegram/test_faults.py``.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from fake_bot_api import TOKEN, free_port, post_raw
from spawn import STARTUP_TIMEOUT, WEBHOOK_SECRET, webhook_env

from bot.telegram import escape

# --------------------------------------------------------------------------------------
# subprocesses: webhook, operator mistakes, the token in output
# --------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_webhook_rejects_bad_secrets_and_survives_malformed_bodies(server, spawn):
    port = free_port()
    bot = spawn(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=server.base_url,
        WEBHOOK_URL=f"http://127.0.0.1:{port}",
        WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET=WEBHOOK_SECRET,
        LOG_LEVEL="DEBUG",
    )
    api = server.api
    (registered,) = api.wait_for_sync("setWebhook", timeout=STARTUP_TIMEOUT)
    url = registered.params["url"]
    good = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    json_type = {"Content-Type": "application/json"}
    chat = 4242

    # the first delivery waits for the listener to be up
    assert server.deliver_webhook({"message": api.message("/start", chat_id=chat)}) == 200
    api.wait_for_sync("sendMessage", 1)

    def body(text: str) -> bytes:
        import json

        update = {"update_id": api.next_update_id(), "message": api.message(text, chat_id=chat)}
        return json.dumps(update).encode()

    statuses = {
        "no secret": post_raw(url, body("/help"), json_type),
        "wrong secret": post_raw(
            url, body("/help"), {**json_type, "X-Telegram-Bot-Api-Secret-Token": "nope"}
        ),
        "secret of another case": post_raw(
            url,
            body("/help"),
            {**json_type, "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET.upper()},
        ),
        "not JSON": post_raw(url, b"{this is not json", {**json_type, **good}),
        "empty body": post_raw(url, b"", {**json_type, **good}),
        "JSON list": post_raw(url, b"[1, 2, 3]", {**json_type, **good}),
        "JSON without update_id": post_raw(url, b'{"message": 5}', {**json_type, **good}),
        "invalid UTF-8": post_raw(url, b'{"update_id": "\xff\xfe"}', {**json_type, **good}),
        "wrong content type": post_raw(url, body("/help"), {"Content-Type": "text/plain", **good}),
        "huge body": post_raw(
            url, b'{"update_id": 1, "x": "' + b"a" * 200_000 + b'"}', {**json_type, **good}
        ),
    }
    print("\nwebhook answers:", statuses)
    assert statuses["no secret"] == 403
    assert statuses["wrong secret"] == 403
    assert statuses["secret of another case"] == 403
    assert statuses["wrong content type"] == 403
    # python-telegram-bot answers undecodable bodies with 500 and unusable JSON with 400:
    # either way an error, and not an update
    for case in ("not JSON", "empty body", "JSON list", "JSON without update_id", "invalid UTF-8"):
        assert statuses[case] in (400, 500), (case, statuses[case])
    # nothing above reached the handlers
    assert len(api.calls_to("sendMessage")) == 1
    # and the server still answers real updates
    assert server.deliver_webhook({"message": api.message("what causes sciatica", chat_id=chat)})
    api.wait_for_sync("sendMessage", 2)
    assert bot.proc.poll() is None
    assert bot.terminate() == 0
    output = bot.output  # DEBUG: python-telegram-bot logs the rejected bodies' tracebacks
    assert TOKEN not in output
    assert WEBHOOK_SECRET not in output


def _break_content(intents: Path, responses: Path) -> list[str]:
    """Six different mistakes at once; returns what each should be reported as."""
    (intents / "zz_broken.yml").write_text("intents: [\n")
    examples = "\n".join(f"      - lonely question number {n}" for n in range(16))
    lonely = f"intents:\n  - intent: lonely\n    examples:\n{examples}\n"
    (intents / "lonely.yml").write_text(lonely)
    sciatica = intents / "sciatica.yml"
    lines = sciatica.read_text().splitlines()
    lines.insert(4, lines[3])  # the first example twice
    sciatica.write_text("\n".join(lines) + "\n")
    answers = responses / "answers.yml"
    text = answers.read_text()
    text = text.replace("    title:", "    titel:", 1)
    text = text.replace("follow_ups: [sciatica_symptoms,", "follow_ups: [no_such_topic,", 1)
    text = text.replace("shooting pain", "stabbing pain", 1)
    answers.write_text(text)
    return ["zz_broken.yml", "lonely.yml", "sciatica.yml", "answers.yml"]


@pytest.mark.e2e
def test_run_refuses_broken_content_listing_every_problem(server, spawn, content_copy, tmp_path):
    intents, responses = content_copy
    files = _break_content(intents, responses)
    env = {"INTENTS_DIR": str(intents), "RESPONSES_DIR": str(responses)}
    # A file that is not valid YAML is reported first and alone: what else would be said
    # could follow from it.
    for command in ("check", "run"):
        alone = spawn(command, TELEGRAM_BOT_TOKEN=TOKEN, **env)
        assert alone.wait() == 1
        lines = alone.stderr.strip().splitlines()
        assert len(lines) == 2 and "zz_broken.yml:" in lines[0] and "YAML error" in lines[0]
    (intents / "zz_broken.yml").unlink()
    files.remove("zz_broken.yml")
    check = spawn("check", **env)
    assert check.wait() == 1
    run = spawn("run", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url, **env)
    assert run.wait() == 1
    output = run.stderr
    print("\n" + output)
    assert "Traceback" not in run.output
    assert TOKEN not in run.output
    assert server.api.calls == []  # refused before talking to Telegram
    problems = [line for line in output.splitlines() if not line.startswith("sciatica-bot:")]
    assert problems == [line for line in check.stderr.splitlines() if line in problems]
    for line in problems:
        path, line_number, message = line.split(":", 2)
        assert (tmp_path / path).is_file() and line_number.isdigit() and message.strip(), line
    named = {Path(line.split(":", 1)[0]).name for line in problems}
    assert set(files) <= named, (files, problems)
    wanted = ["titel", "'lonely' has no response", "no_such_topic", "word for word"]
    for word in wanted:
        assert any(word in line for line in problems), (word, problems)
    assert any("sciatica.yml:5:" in line for line in problems), problems  # the duplicate
    assert output.strip().splitlines()[-1].startswith("sciatica-bot: ")


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("WEBHOOK_PORT", "eighty", "WEBHOOK_PORT must be a whole number"),
        ("WEBHOOK_PORT", "70000", "WEBHOOK_PORT must be between 1 and 65535"),
        ("WEBHOOK_PORT", "-1", "WEBHOOK_PORT must be between"),
        ("TELEGRAM_API_BASE_URL", "ftp://example.org/bot", "TELEGRAM_API_BASE_URL must start"),
        ("WEBHOOK_URL", "bot.example.org", "WEBHOOK_URL must start with http"),
        ("TELEGRAM_API_BASE_URL", "http://", "TELEGRAM_API_BASE_URL must name a host"),
        ("WEBHOOK_URL", "https:///telegram", "WEBHOOK_URL must name a host"),
        ("CLINIC_BOOKING_URL", "javascript:alert(1)", "CLINIC_BOOKING_URL must start"),
        ("MATCH_THRESHOLD", "high", "MATCH_THRESHOLD must be a number"),
        ("MATCH_THRESHOLD", "150", "MATCH_THRESHOLD must be between 0 and 100"),
        ("MATCH_THRESHOLD", "nan", "MATCH_THRESHOLD"),
        ("MATCH_MARGIN", "-5", "MATCH_MARGIN must be between"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be one of"),
        ("WEBHOOK_SECRET", "not allowed!", "WEBHOOK_SECRET must be 1-256 characters"),
        ("WEBHOOK_SECRET", "x" * 257, "WEBHOOK_SECRET must be 1-256 characters"),
        ("RETENTION_DAYS", "forever", "RETENTION_DAYS must be a whole number"),
        ("RETENTION_DAYS", "0", "RETENTION_DAYS must be between 1 and 3650"),
        ("DATABASE_PATH", "/proc/self/no/such/bot.sqlite3", "DATABASE_PATH /proc/self/no/such"),
        ("DATABASE_PATH", "/dev/null/bot.sqlite3", "cannot create its folder"),
    ],
)
def test_bad_setting_is_one_line_exit_2(server, spawn, setting, value, words):
    """Exit 2 for a malformed setting; 5 for a database that cannot be created there."""
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url, setting: value}
    bot = spawn("run", **env)
    assert bot.wait() == (5 if setting == "DATABASE_PATH" else 2)
    lines = bot.output.strip().splitlines()
    assert len(lines) == 1, bot.output
    assert words in lines[0], lines[0]
    assert "Traceback" not in bot.output and TOKEN not in bot.output
    assert server.api.calls == []


@pytest.mark.e2e
def test_api_failing_right_after_start_up_is_waited_out(server, spawn):
    """getMe works, then deleteWebhook fails 4 times (outlasting the retries)."""
    api = server.api
    api.fail_next("deleteWebhook", 502, times=4)
    bot = spawn("run", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url)
    api.wait_for_sync("getUpdates", timeout=STARTUP_TIMEOUT)
    api.push_message("what causes sciatica", chat_id=6160)
    api.wait_for_sync("sendMessage", where=lambda c: c.params.get("chat_id") == 6160)
    assert bot.terminate() == 0
    assert "Traceback" not in bot.output, bot.output[-2000:]


def _assert_token_hidden(output: str) -> None:
    from urllib.parse import quote

    for form in {TOKEN, quote(TOKEN, safe=""), quote(TOKEN), TOKEN.split(":")[1]}:
        assert form not in output, f"token form {form!r} leaked"


@pytest.mark.e2e
def test_token_never_printed_when_the_api_fails(server, spawn, tmp_path):
    """DEBUG logs of a run that meets 500s, a refused connection and a bad 401 at start."""
    api = server.api
    outputs: list[str] = []

    # 1. getMe answered with 500s: the bot gives up at once (STARTUP_TIMEOUT=0)
    api.fail_next("getMe", 500, times=4)  # the first try and every retry
    failed = spawn(
        "run",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=server.base_url,
        LOG_LEVEL="DEBUG",
        STARTUP_TIMEOUT="0",
    )
    assert failed.wait() == 3
    outputs.append(failed.output)

    # 2. nothing listening at all
    nowhere = f"http://127.0.0.1:{free_port()}/bot"
    refused = spawn(
        "run",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=nowhere,
        LOG_LEVEL="DEBUG",
        STARTUP_TIMEOUT="0",
    )
    assert refused.wait() == 3
    outputs.append(refused.output)

    # 3. running, then getUpdates and sends fail with 500s and the API goes away entirely
    bot = spawn(
        "run", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url, LOG_LEVEL="DEBUG"
    )
    api.wait_for_sync("getUpdates", timeout=STARTUP_TIMEOUT)
    api.fail_next("sendMessage", 500, times=6)  # the answer and 2 apology tries
    api.push_message("what causes sciatica", chat_id=5150)
    api.wait_for_sync("sendMessage", where=lambda c: c.params.get("chat_id") == 5150, timeout=15)
    api.fail_next("getUpdates", 500, times=2)
    deadline = time.monotonic() + 10
    while len([c for c in api.calls_to("getUpdates") if c.status == 500]) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    server.stop()  # connection refused from now on
    time.sleep(1.5)
    assert bot.proc.poll() is None, bot.output
    assert bot.terminate() == 0
    outputs.append(bot.output)

    combined = "\n".join(outputs)
    print("\n".join(combined.splitlines()[-40:]))
    assert "DEBUG" in combined
    assert "Connection refused" in combined or "ConnectError" in combined
    _assert_token_hidden(combined)
    assert "Traceback" not in outputs[0] + outputs[1]


# --------------------------------------------------------------------------------------
# at least once: kill -9 during a burst
# --------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_kill_9_during_a_burst_loses_no_message(server, spawn, dialogue):
    """240 messages from 60 chats; the bot is killed with SIGKILL at three random moments
    and restarted each time. Every message is answered at least once; a kill can repeat
    only answers to the updates in hand at that moment (at most one batch of 100)."""
    import random

    api = server.api
    rng = random.Random(240)
    commands = ["/help", "/about", "/book", "/topics"]
    expected = {name: escape(dialogue_command(dialogue, name)) for name in commands}
    assert len(set(expected.values())) == len(commands)
    chats = list(range(7000, 7060))
    for name in commands:
        for chat in chats:
            api.push_message(name, chat_id=chat)
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url}
    kills = sorted(rng.sample(range(10, 230), 3))
    for kill_after in kills:
        bot = spawn("run", **env)
        api.wait_for_sync("sendMessage", kill_after, timeout=60)
        bot.proc.kill()  # SIGKILL: no clean-up at all
        bot.proc.wait(timeout=5)
        assert bot.proc.returncode == -signal.SIGKILL
    bot = spawn("run", **env)
    deadline = time.monotonic() + 60
    while not all(
        set(expected.values()) <= {c.params["text"] for c in api.delivered(chat)} for chat in chats
    ):
        assert time.monotonic() < deadline, "not every message was answered"
        time.sleep(0.1)
    assert bot.terminate() == 0
    delivered = len(api.delivered())
    repeated = delivered - len(chats) * len(commands)
    print(f"\nkilled after {kills} answers; {delivered} answers in all, {repeated} repeated")
    assert 0 <= repeated <= 100 * len(kills)
    # a clean stop confirmed everything: the next start repeats nothing
    polls = len(api.calls_to("getUpdates"))
    again = spawn("run", **env)
    api.wait_for_sync("getUpdates", polls + 2, timeout=STARTUP_TIMEOUT)
    assert again.terminate() == 0
    assert len(api.delivered()) == delivered


def dialogue_command(dialogue, name: str) -> str:
    """The text of the answer to a command (these do not depend on the chat's state)."""
    from bot.service import ChatService
    from bot.store import Store

    return ChatService(dialogue, Store()).command("telegram:1", name.lstrip("/")).text


# --------------------------------------------------------------------------------------
# webhook: secret, refusals, body limit, answered only after handling
# --------------------------------------------------------------------------------------


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.e2e
def test_webhook_without_secret_registers_a_random_one(server, spawn):
    import re

    port = free_port()
    bot = spawn("run", **webhook_env(server, port))
    (registered,) = server.api.wait_for_sync("setWebhook", timeout=STARTUP_TIMEOUT)
    secret = registered.params.get("secret_token") or ""
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", secret), secret
    url = registered.params["url"]
    chat = 4242
    assert server.deliver_webhook({"message": server.api.message("/start", chat_id=chat)}) == 200
    forged = {"update_id": 99, "message": server.api.message("/forget", chat_id=chat)}
    import json

    assert post_raw(url, json.dumps(forged).encode(), {"Content-Type": "application/json"}) == 403
    assert bot.terminate() == 0
    assert len(server.api.delivered(chat)) == 1  # the forged /forget was not answered
    assert secret not in bot.output
    assert "random secret" in bot.output


@pytest.mark.e2e
def test_webhook_refused_with_400_exits_with_one_line(server, spawn):
    server.api.fail_next(
        "setWebhook", 400, description="Bad Request: bad webhook: HTTPS url must be provided"
    )
    bot = spawn("run", **webhook_env(server, free_port(), WEBHOOK_SECRET=WEBHOOK_SECRET))
    assert bot.wait() == 2
    lines = bot.stderr.strip().splitlines()
    assert lines[-1].startswith("sciatica-bot: Telegram refused the webhook"), lines
    assert "https url must be provided" in lines[-1].lower()
    assert "Traceback" not in bot.output
    assert len(server.api.calls_to("setWebhook")) == 1  # not retried


@pytest.mark.e2e
def test_webhook_registration_waits_out_5xx_and_429(server, spawn):
    api = server.api
    api.fail_next("setWebhook", 502, times=5)  # outlasts the request retries
    api.fail_next("setWebhook", 429, retry_after=1)
    port = free_port()
    bot = spawn("run", **webhook_env(server, port, WEBHOOK_SECRET=WEBHOOK_SECRET))
    api.wait_for_sync("setWebhook", timeout=30)
    assert [c.status for c in api.calls_to("setWebhook")] == [502] * 5 + [429, 200]
    assert server.deliver_webhook({"message": api.message("/help", chat_id=77)}) == 200
    assert bot.terminate() == 0
    assert "Traceback" not in bot.output


@pytest.mark.e2e
def test_webhook_caps_bodies_before_reading_them(server, spawn):
    import http.client

    port = free_port()
    bot = spawn("run", **webhook_env(server, port, WEBHOOK_SECRET=WEBHOOK_SECRET))
    server.api.wait_for_sync("setWebhook", timeout=STARTUP_TIMEOUT)
    assert server.deliver_webhook({"message": server.api.message("/help", chat_id=78)}) == 200
    url = server.api.webhook["url"]
    json_type = {"Content-Type": "application/json"}
    good = {**json_type, "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    before = _rss_kib(bot.proc.pid)
    huge = b'{"update_id": 5, "x": "' + b"a" * (60 * 1024 * 1024) + b'"}'
    statuses = [post_raw(url, huge, json_type) for _ in range(3)]  # no secret
    statuses.append(post_raw(url, huge, good))  # with the secret: still too big
    over = b'{"update_id": 6, "x": "' + b"a" * (1024 * 1024) + b'"}'
    statuses.append(post_raw(url, over, good))

    def chunks():
        yield b'{"update_id": 7, "x": "'
        for _ in range(40):
            yield b"a" * (256 * 1024)
        yield b'"}'

    path = urllib_path(url)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", path, body=chunks(), headers=good, encode_chunked=True)
        streamed = connection.getresponse().status
    except (ConnectionError, http.client.HTTPException):
        streamed = 0
    finally:
        connection.close()
    grown = _rss_kib(bot.proc.pid) - before
    print(f"\nstatuses {statuses}, streamed {streamed}, RSS grew by {grown} KiB")
    # refused (or the connection closed on the sender) before the body was read
    assert all(status in (403, 413, 0) for status in statuses), statuses
    assert streamed in (400, 413, 0)
    assert grown < 20 * 1024  # a 60 MiB body was never held in memory
    assert server.deliver_webhook({"message": server.api.message("/help", chat_id=78)}) == 200
    assert bot.terminate() == 0


def urllib_path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


@pytest.mark.e2e
def test_webhook_answers_telegram_only_after_handling(server, spawn):
    """Telegram delivers again until it gets 200: the 200 comes after the answer was sent,
    so a crash before that loses nothing."""
    port = free_port()
    bot = spawn("run", **webhook_env(server, port, WEBHOOK_SECRET=WEBHOOK_SECRET))
    server.api.wait_for_sync("setWebhook", timeout=STARTUP_TIMEOUT)
    assert server.deliver_webhook({"message": server.api.message("/help", chat_id=79)}) == 200
    server.api.slow_next("sendMessage", 1.5)
    started = time.monotonic()
    assert server.deliver_webhook({"message": server.api.message("/about", chat_id=79)}) == 200
    took = time.monotonic() - started
    assert took >= 1.5, took
    assert len(server.api.delivered(79)) == 2  # answered before the 200
    assert bot.terminate() == 0


# --------------------------------------------------------------------------------------
# buttons and shutdown while Telegram fails
# --------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_sigterm_during_an_api_outage_exits_cleanly_with_few_lines(server, spawn):
    api = server.api
    bot = spawn("run", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url)
    api.wait_for_sync("getUpdates", timeout=STARTUP_TIMEOUT)
    api.push_message("what causes sciatica", chat_id=6161)
    api.wait_for_sync("sendMessage", where=lambda c: c.params.get("chat_id") == 6161)
    api.outage(60)
    deadline = time.monotonic() + 10
    while not any(c.status == 502 for c in api.calls_to("getUpdates")):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    before = len(bot.output.splitlines())
    assert bot.terminate() == 0
    after = bot.output.splitlines()[before:]
    print("\n".join(after))
    assert "Traceback" not in bot.output
    assert len([line for line in after if " WARNING " in line or " ERROR " in line]) <= 2
