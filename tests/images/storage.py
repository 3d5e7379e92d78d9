"""A real in-memory storage that also records which storage methods were called (to prove pages make none)."""

from django.core.files.storage import InMemoryStorage


class RecordingStorage(InMemoryStorage):
    calls: list[str] = []

    def _record(self, method, name):
        type(self).calls.append(f"{method} {name}")

    def exists(self, name):
        self._record("exists", name)
        return super().exists(name)

    def open(self, name, mode="rb"):
        self._record("open", name)
        return super().open(name, mode)

    def save(self, name, content, max_length=None):
        self._record("save", name)
        return super().save(name, content, max_length=max_length)

    def size(self, name):
        self._record("size", name)
        return super().size(name)
