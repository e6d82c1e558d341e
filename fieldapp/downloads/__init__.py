"""Big exports as jobs: a person who asks for an export of more rows than `EXPORT_JOB_ROWS`
gets a page that follows its job, then a link to the file, which the worker built and the
database keeps (any app server serves it, to that person only). Machine clients and small
exports get the file at once, as before.

An export view declares itself with `services.exportable(size, mimetype)`; the worker runs
the same view in a request context that repeats the person's request (URL, user, language),
so the file is the one the synchronous answer would have been."""
