"""The HTTP API of phancong (``/api/v1``): ``api.app.create_app``, served by ``phancong serve``."""
