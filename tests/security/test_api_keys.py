"""API keys: who gets in (UNAUTHENTICATED otherwise), the SDK's key calls, the keys CLI, and the
error-policy interplay of seed 002 (Delete needs a ``delete`` key)."""

from __future__ import annotations

import logging
import time
import zlib

import pyarrow.flight as flight
import pytest
from typer.testing import CliRunner

from smalto.cli.main import app
from smalto.client import MosaicoClient
from smalto.enums import APIKeyPermissionEnum as Level
from smalto.enums import SessionLevelErrorPolicy
from smalto.errors import NotFound, PermissionDenied
from smalto.ontology import IMU
from smalto.protocol.api_keys import api_key_fingerprint, format_api_key, is_valid_payload
from smalto.server import ServerSettings, SmaltoServer
from tests.client.samples import imu_message
from tests.security.conftest import mint, with_key

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def colliding_payload(payload: str) -> str:
    """Another valid payload with the same CRC32 as ``payload`` (CRC32 is affine over GF(2)).

    Start from ``aaaa…a1``; flipping bits 1 to 3 of any letter keeps it a letter (a..o), so solve
    for the set of flips that moves the CRC onto the target's.
    """
    base = bytearray(b"a" * 31 + b"1")
    zero = zlib.crc32(bytes(32))
    target = zlib.crc32(payload.encode()) ^ zlib.crc32(bytes(base))
    rows: list[tuple[int, int]] = []  # (crc delta, set of flips as a bit mask)
    flips = [(i, bit) for i in range(31) for bit in (1, 2, 3)]
    for n, (i, bit) in enumerate(flips):
        delta = bytearray(32)
        delta[i] = 1 << bit
        rows.append((zlib.crc32(bytes(delta)) ^ zero, 1 << n))
    basis: dict[int, tuple[int, int]] = {}
    for value, mask in rows:
        for top in sorted(basis, reverse=True):
            if value >> top & 1:
                value ^= basis[top][0]
                mask ^= basis[top][1]
        if value:
            basis[value.bit_length() - 1] = (value, mask)
    chosen = 0
    for top in sorted(basis, reverse=True):
        if target >> top & 1:
            target ^= basis[top][0]
            chosen ^= basis[top][1]
    assert target == 0, "the flips span every CRC32 value"
    for n, (i, bit) in enumerate(flips):
        if chosen >> n & 1:
            base[i] ^= 1 << bit
    forged = base.decode()
    assert forged != payload and is_valid_payload(forged)
    assert api_key_fingerprint(forged) == api_key_fingerprint(payload)
    return forged


def refused(client: flight.FlightClient, token: str | bytes | None, match: str) -> None:
    with pytest.raises(flight.FlightUnauthenticatedError, match=match):
        list(client.list_flights(b"", with_key(token)))
    with pytest.raises(flight.FlightUnauthenticatedError, match=match):
        list(client.do_action(flight.Action("version", b"{}"), with_key(token)))


def test_calls_without_a_live_key_are_unauthenticated(
    keyed_server: SmaltoServer,
    keyed_settings: ServerSettings,
    raw_client: flight.FlightClient,
    tokens: dict[Level, str],
) -> None:
    read = tokens[Level.Read]
    assert list(raw_client.list_flights(b"", with_key(read))) == []
    refused(raw_client, None, "requires an API key")
    refused(raw_client, "", "requires an API key")
    refused(raw_client, "msco_garbled", "invalid API key")
    refused(raw_client, read[:-1] + ("0" if read[-1] != "0" else "1"), "checksum")
    refused(raw_client, read.upper(), "invalid API key")
    refused(raw_client, "msco_" + "x" * 1000, "invalid API key")
    refused(raw_client, format_api_key("z9" * 16), "not known")
    payload = read.split("_")[1]
    refused(raw_client, format_api_key(colliding_payload(payload)), "not known")
    assert list(raw_client.list_flights(b"", with_key(read))) == []


def test_expired_and_revoked_keys_are_refused(
    keyed_server: SmaltoServer, keyed_settings: ServerSettings, tokens: dict[Level, str]
) -> None:
    short = mint(keyed_settings, Level.Write, "short", time.time_ns() + 300_000_000)
    with MosaicoClient.connect(keyed_server.host, keyed_server.port, api_key=short) as client:
        assert client.list_sequences() == []
    time.sleep(0.4)
    with pytest.raises(ConnectionError, match="expired"):
        MosaicoClient.connect(keyed_server.host, keyed_server.port, api_key=short)

    victim = mint(keyed_settings, Level.Read, "victim")
    with (
        MosaicoClient.connect(keyed_server.host, keyed_server.port, api_key=victim) as user,
        MosaicoClient.connect(
            keyed_server.host, keyed_server.port, api_key=tokens[Level.Manage]
        ) as admin,
    ):
        assert user.list_sequences() == []
        admin.api_key_revoke(api_key_fingerprint(victim.split("_")[1]))
        with pytest.raises(Exception, match="revoked") as caught:
            user.list_sequences()
        assert type(caught.value).__name__ == "Unauthenticated"
        with pytest.raises(NotFound, match="revoked"):
            admin.api_key_status(victim[-8:])


def test_sdk_key_calls(keyed_server: SmaltoServer, tokens: dict[Level, str]) -> None:
    host, port = keyed_server.host, keyed_server.port
    with MosaicoClient.connect(host, port, api_key=tokens[Level.Manage]) as admin:
        own = admin.api_key_status()
        assert own.api_key_fingerprint == tokens[Level.Manage][-8:]
        assert own.description == "manage" and own.expires_at_ns is None
        expires = time.time_ns() + 3600 * 10**9
        token = admin.api_key_create(Level.Write, "ci uploader", expires_at_ns=expires)
        status = admin.api_key_status(token[-8:])
        assert (status.description, status.expires_at_ns) == ("ci uploader", expires)
        with pytest.raises(Exception, match="not in the future"):
            admin.api_key_create("read", "stale", expires_at_ns=1)
        with pytest.raises(NotFound):
            admin.api_key_revoke("0badf00d")
    with MosaicoClient.connect(host, port, api_key=token) as writer:
        with writer.sequence_create("by_ci", {}) as w:
            w.topic_create("imu", {}, IMU).push(imu_message(0))
        with pytest.raises(PermissionDenied, match="'delete' permission"):
            writer.sequence_delete("by_ci")
        with pytest.raises(PermissionDenied, match="'manage' permission"):
            writer.api_key_create(Level.Manage, "escalation")
        assert writer.list_sequences() == ["by_ci"]


def test_keys_are_optional_by_default(client: MosaicoClient) -> None:
    token = client.api_key_create(Level.Read, "unused while keys are off")
    assert client.api_key_status(token[-8:]).description == "unused while keys are off"
    with pytest.raises(ValueError, match="fingerprint"):
        client.api_key_status()


def test_keys_cli_bootstraps_the_first_manage_key(keyed_settings: ServerSettings) -> None:
    runner = CliRunner()
    data = ["--data", str(keyed_settings.data_dir)]
    if keyed_settings.catalog_url is not None:
        data += ["--catalog", keyed_settings.catalog_url]
    created = runner.invoke(app, ["keys", "create", "--permission", "manage", *data])
    assert created.exit_code == 0, created.output
    token = created.output.strip()
    fingerprint = token[-8:]
    with SmaltoServer(keyed_settings) as server:
        with MosaicoClient.connect(server.host, server.port, api_key=token) as admin:
            assert admin.api_key_status().api_key_fingerprint == fingerprint
        listed = runner.invoke(app, ["keys", "list", *data])
        assert f"{fingerprint}  manage  active" in listed.output
        shown = runner.invoke(app, ["keys", "status", fingerprint, *data])
        assert f"fingerprint  {fingerprint}" in shown.output
        revoked = runner.invoke(app, ["keys", "revoke", fingerprint, *data])
        assert revoked.exit_code == 0, revoked.output
        with pytest.raises(ConnectionError, match="revoked"):
            MosaicoClient.connect(server.host, server.port, api_key=token)
    assert "revoked" in runner.invoke(app, ["keys", "list", *data]).output
    bad = runner.invoke(
        app, ["keys", "create", "--permission", "read", "--expires-in", "1y", *data]
    )
    assert bad.exit_code == 1 and "expires-in" in bad.output
    missing = runner.invoke(app, ["keys", "revoke", "0badf00d", *data])
    assert missing.exit_code == 1 and "no API key" in missing.output


def test_delete_policy_without_delete_permission_leaves_the_session_unlocked(
    keyed_server: SmaltoServer, tokens: dict[Level, str], caplog: pytest.LogCaptureFixture
) -> None:
    """Seed 002: Delete needs a ``delete`` key; with a ``write`` key the delete is refused and
    the writing session stays unlocked (nothing is finalized behind the user's back)."""
    host, port = keyed_server.host, keyed_server.port
    with MosaicoClient.connect(host, port, api_key=tokens[Level.Write]) as client:
        with (
            caplog.at_level(logging.ERROR),
            pytest.raises(RuntimeError, match="abort"),
            client.sequence_create("doomed", {}, on_error=SessionLevelErrorPolicy.Delete) as w,
        ):
            imu = w.topic_create("imu", {}, IMU)
            imu.push(imu_message(0))
            raise RuntimeError("abort")
        assert "'delete' permission" in caplog.text
        handler = client.sequence_handler("doomed")
        assert handler is not None, "the refused delete kept the sequence"
        [session] = handler.sessions
        assert session.locked is False
    with MosaicoClient.connect(host, port, api_key=tokens[Level.Delete]) as client:
        with (
            pytest.raises(RuntimeError, match="abort"),
            client.sequence_create("gone", {}, on_error=SessionLevelErrorPolicy.Delete) as w,
        ):
            w.topic_create("imu", {}, IMU).push(imu_message(0))
            raise RuntimeError("abort")
        assert client.sequence_handler("gone") is None
