import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def language_left_as_found():  # type: ignore[no-untyped-def]
    """A page in French activates French in the test's thread (LocaleMiddleware does not
    deactivate it after the response): later tests must not read French."""
    yield
    translation.deactivate()
