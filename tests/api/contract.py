"""The JSON field names CONTRACT.md promises, written once for the API tests."""

EVENT_FIELDS = {
    "slug",
    "title",
    "description",
    "venue",
    "city",
    "country",
    "timezone",
    "starts",
    "ends",
    "registration_opens",
    "registration_closes",
    "capacity",
    "requires_approval",
    "status",
    "programme_published",
}
