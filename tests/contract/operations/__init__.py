"""Contract tests of every operation in the OpenAPI document: the security and bad-input checks.

Each test module walks the operations of `app.openapi()` (catalog.py) and runs one check per operation:

- test_auth.py      every kind of bad key is 401 `Invalid API key`, before anything else is looked at;
- test_access.py    records of another entity or customer answer like missing ones (404) and change nothing;
                    an X-Entity-Id without a role there is 403;
- test_roles.py     the roles of ROLE_TABLE pass the permission check, the others get 403;
- test_bodies.py    server-owned and computed fields are refused (422), malformed bodies are 4xx, never 500;
- test_params.py    malformed path ids are 422; lists (and every operation with a query) refuse unknown parameters;
- test_ratelimit.py X-Forwarded-For and friends from an untrusted peer do not change the rate-limit bucket.

They share one data set (world.py): two entities and a user of each role of one customer, another customer, bad
keys, and a record behind every path parameter of the document in each place.

How a new endpoint gets covered: nothing to do for most of it, since the operation is read from the document.
Three things must be declared, and a missing one fails loudly with a message naming where:

1. its roles in `catalog.ROLE_TABLE` (test_roles.py `test_every_operation_is_in_the_role_table`);
2. a maker for each record its path names: a new resource registered in tests/contract/resources.py `RESOURCES`
   covers its `{id}`; a nested parameter (`/x/{id}/y/{y_id}`) needs an entry in `catalog.MAKERS`
   (test_world.py `test_every_path_parameter_has_a_record`);
3. only if the smallest body its schema allows is still refused by a rule of the service: a valid body in
   `catalog.BODIES` (the access test then fails with that 422 in its message).
"""
