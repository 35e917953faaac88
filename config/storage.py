"""Where files that must never be public are stored (proofs of experience).

A separate storage that has no URL at all: MEDIA_URL may be served in development, this never
is; the only way to a file is a view that checks who asks. A callable, so tests and deployments
swap the backend through settings.STORAGES["private"].
"""

from django.core.files.storage import FileSystemStorage, Storage, storages


class PrivateFileSystemStorage(FileSystemStorage):
    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL: serve them through a view that checks access")


def private_storage() -> Storage:
    return storages["private"]
