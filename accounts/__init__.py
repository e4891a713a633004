"""Credentials of accounts: argon2id (``hashing``), TOTP (``totp``), and where they are kept (``postgres``,
``memory``): the adapters of ``app.ports.Credentials``, ``PasswordHasher`` and ``OneTimeCodes``."""
