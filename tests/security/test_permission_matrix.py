"""The permission matrix (issue 8): every URL pattern of the project, walked from the URL
configuration, requested with every method it takes by every role, with the status each must get.

A new URL pattern without its rows fails `test_every_url_pattern_has_its_rows`: add one row per
method to the table of its app below. Each row is read in the order of the roles of
tests/security/world.py (the header above each table: anonymous, customer, author of the
reviews the URLs name, agent, manager and owner of their brand, owner of another brand,
moderator, moderator tied to the brand (one of its agents), operator). A cell is the status code, or `login` for
a redirect to the login page; a `*` after it says that request changes rows in the database.
Every other request must change none: a refused request, a form sent back with its errors, a
redirect with an error message change nothing (checked with the row count of every model).

Requests that change something send a valid body (tests/security/probe.py, BODIES), so that a
service checking its permission after the input is valid is still tested. Each request meets the
same world (it is rolled back after), built once through the real services.
"""

# ruff: noqa: E501  (one row per line: the tables are read across)

import pytest
from django.db import transaction

from tests.security.probe import BODIES, NOT_IN_MATRIX, Route, request_as, routes
from tests.security.world import ROLES, World, build_world

Matrix = dict[tuple[str, str], str]

# fmt: off
PLATFORM: Matrix = {
    #                                                 anon   cust   auth   agent  mgr    owner  other  mod    tied   oper
    ("home", "GET"):                                 "200    200    200    200    200    200    200    200    200    200",
    ("home", "POST"):                                "405    405    405    405    405    405    405    405    405    405",
    ("health", "GET"):                               "200    200    200    200    200    200    200    200    200    200",
    ("health", "POST"):                              "405    405    405    405    405    405    405    405    405    405",
    ("api-schema", "GET"):                           "200    200    200    200    200    200    200    200    200    200",
    ("api-docs", "GET"):                             "200    200    200    200    200    200    200    200    200    200",
    ("api-redoc", "GET"):                            "200    200    200    200    200    200    200    200    200    200",
}

ACCOUNTS: Matrix = {
    #                                                 anon   cust   auth   agent  mgr    owner  other  mod    tied   oper
    ("account_login", "GET"):                        "200    302    302    302    302    302    302    302    302    302",
    ("account_login", "POST"):                       "200    302    302    302    302    302    302    302    302    302",
    ("account_logout", "GET"):                       "302    200    200    200    200    200    200    200    200    200",
    ("account_logout", "POST"):                      "302    302    302    302    302    302    302    302    302    302",
    ("account_inactive", "GET"):                     "200    200    200    200    200    200    200    200    200    200",
    ("account_inactive", "POST"):                    "405    405    405    405    405    405    405    405    405    405",
    ("account_signup", "GET"):                       "200    302    302    302    302    302    302    302    302    302",
    ("account_signup", "POST"):                      "200    302    302    302    302    302    302    302    302    302",
    ("account_reauthenticate", "GET"):               "login  200    200    200    200    200    200    200    200    200",
    ("account_reauthenticate", "POST"):              "login  200    200    200    200    200    200    200    200    200",
    ("account_email", "GET"):                        "login  200    200    200    200    200    200    200    200    200",
    ("account_email", "POST"):                       "login  302    302    302    302    302    302    302    302    302",
    ("account_email_verification_sent", "GET"):      "200    200    200    200    200    200    200    200    200    200",
    ("account_email_verification_sent", "POST"):     "405    405    405    405    405    405    405    405    405    405",
    ("account_change_password", "GET"):              "login  200    200    200    200    200    200    200    200    200",
    ("account_change_password", "POST"):             "login  200    200    200    200    200    200    200    200    200",
    ("account_set_password", "GET"):                 "login  302    302    302    302    302    302    302    302    302",
    ("account_set_password", "POST"):                "login  302    302    302    302    302    302    302    302    302",
    ("account_reset_password", "GET"):               "200    200    200    200    200    200    200    200    200    200",
    ("account_reset_password", "POST"):              "200    200    200    200    200    200    200    200    200    200",
    ("account_confirm_login_code", "GET"):           "login  302    302    302    302    302    302    302    302    302",
    ("account_confirm_login_code", "POST"):          "login  302    302    302    302    302    302    302    302    302",
    ("account_confirm_email", "GET"):                "200    200    200    200    200    200    200    200    200    200",
    ("account_confirm_email", "POST"):               "404    404    404    404    404    404    404    404    404    404",
    ("account_reset_password_from_key_done", "GET"): "200    200    200    200    200    200    200    200    200    200",
    ("account_reset_password_from_key_done", "POST"): "405    405    405    405    405    405    405    405    405    405",
    ("account_reset_password_from_key", "GET"):      "200    200    200    200    200    200    200    200    200    200",
    ("account_reset_password_from_key", "POST"):     "200    200    200    200    200    200    200    200    200    200",
    ("account_reset_password_done", "GET"):          "200    200    200    200    200    200    200    200    200    200",
    ("account_reset_password_done", "POST"):         "405    405    405    405    405    405    405    405    405    405",
    ("profile", "GET"):                              "login  200    200    200    200    200    200    200    200    200",
    ("profile", "POST"):                             "login  200    200    200    200    200    200    200    200    200",
    ("switch-language", "GET"):                      "405    405    405    405    405    405    405    405    405    405",
    ("switch-language", "POST"):                     "302    302    302    302    302    302    302    302    302    302",
    ("my-data", "GET"):                              "login  200    200    200    200    200    200    200    200    200",
    ("my-data", "POST"):                             "login  200    200    200    200    200    200    200    200    200",
    ("my-data-export", "GET"):                       "login  405    405    405    405    405    405    405    405    405",
    ("my-data-export", "POST"):                      "login  200*   200*   200*   200*   200*   200*   200*   200*   200*",
    ("erase-account", "GET"):                        "login  200    200    200    200    200    200    200    200    200",
    ("erase-account", "POST"):                       "login  302*   302*   302*   302*   302*   302*   302*   302*   302*",
    ("api-me", "GET"):                               "403    200    200    200    200    200    200    200    200    200",
    ("api-me-export", "GET"):                        "403    200*   200*   200*   200*   200*   200*   200*   200*   200*",
    ("api-me-erase", "POST"):                        "403    204*   204*   204*   204*   204*   204*   204*   204*   204*",
    ("api-token", "POST"):                           "400    400    400    400    400    400    400    400    400    400",
    ("api-user-role", "POST"):                       "403    403    403    403    403    403    403    403    403    200*",
    ("api-user-languages", "POST"):                  "403    403    403    403    403    403    403    403    403    200*",
}

BRANDS: Matrix = {
    #                                                 anon   cust   auth   agent  mgr    owner  other  mod    tied   oper
    ("brands:mine", "GET"):                          "login  200    200    200    200    200    200    200    200    200",
    ("brands:mine", "POST"):                         "login  405    405    405    405    405    405    405    405    405",
    ("brands:claim", "GET"):                         "login  200    200    200    200    200    200    200    200    200",
    ("brands:claim", "POST"):                        "login  302*   302*   400    400    400    302*   302*   400    302*",
    ("brands:claim-verify", "GET"):                  "login  200    200    200    200    200    200    200    200    200",
    ("brands:claim-verify", "POST"):                 "login  302*   403    403    403    403    403    403    403    403",
    ("brands:invitation-create", "GET"):             "login  403    403    403    200    200    403    403    403    403",
    ("brands:invitation-create", "POST"):            "login  403    403    403    302*   302*   403    403    403    403",
    ("brands:invitation-upload", "GET"):             "login  403    403    403    200    200    403    403    403    403",
    ("brands:invitation-upload", "POST"):            "login  403    403    403    200    200    403    403    403    403",
    ("brands:invitation-cancel", "GET"):             "login  405    405    405    405    405    405    405    405    405",
    ("brands:invitation-cancel", "POST"):            "login  403    403    403    302*   302*   403    403    403    403",
    ("brands:invitation-opt-out", "GET"):            "200    200    200    200    200    200    200    200    200    200",
    ("brands:invitation-opt-out", "POST"):           "200*   200*   200*   200*   200*   200*   200*   200*   200*   200*",
    ("brands:integrations", "GET"):                  "login  403    403    403    200    200    403    403    403    403",
    ("brands:integrations", "POST"):                 "login  405    405    405    405    405    405    405    405    405",
    ("brands:integration-token-create", "GET"):      "login  405    405    405    405    405    405    405    405    405",
    ("brands:integration-token-create", "POST"):     "login  403    403    403    200*   200*   403    403    403    403",
    ("brands:integration-token-revoke", "GET"):      "login  405    405    405    405    405    405    405    405    405",
    ("brands:integration-token-revoke", "POST"):     "login  403    403    403    302*   302*   403    403    403    403",
    ("brands:integration-webhook-create", "GET"):    "login  405    405    405    405    405    405    405    405    405",
    ("brands:integration-webhook-create", "POST"):   "login  403    403    403    200*   200*   403    403    403    403",
    ("brands:integration-webhook-disable", "GET"):   "login  405    405    405    405    405    405    405    405    405",
    ("brands:integration-webhook-disable", "POST"):  "login  403    403    403    302*   302*   403    403    403    403",
    ("api-brand-list", "GET"):                       "200    200    200    200    200    200    200    200    200    200",
    ("api-brand-detail", "GET"):                     "200    200    200    200    200    200    200    200    200    200",
    ("api-brand-claim", "POST"):                     "403    201*   201*   409    409    409    201*   201*   409    201*",
    ("api-brand-invitations", "GET"):                "403    403    403    403    200    200    403    403    403    403",
    ("api-brand-invitations", "POST"):               "403    403    403    403    201*   201*   403    403    403    403",
    ("api-brand-invitation-cancel", "POST"):         "403    403    403    403    200*   200*   403    403    403    403",
    ("api-brand-api-tokens", "GET"):                 "403    403    403    403    200    200    403    403    403    403",
    ("api-brand-api-tokens", "POST"):                "403    403    403    403    201*   201*   403    403    403    403",
    ("api-brand-api-token-revoke", "POST"):          "403    403    403    403    200*   200*   403    403    403    403",
    ("api-brand-webhooks", "GET"):                   "403    403    403    403    200    200    403    403    403    403",
    ("api-brand-webhooks", "POST"):                  "403    403    403    403    201*   201*   403    403    403    403",
    ("api-brand-webhook-deliveries", "GET"):         "403    403    403    403    200    200    403    403    403    403",
    ("api-brand-webhook-disable", "POST"):           "403    403    403    403    200*   200*   403    403    403    403",
    ("api-brand-claim-list", "GET"):                 "403    403    403    403    403    403    403    403    403    200",
    ("api-brand-claim-verify", "POST"):              "403    200*   403    403    403    403    403    403    403    403",
    ("api-brand-claim-approve", "POST"):             "403    403    403    403    403    403    403    403    403    200*",
    ("api-brand-claim-reject", "POST"):              "403    403    403    403    403    403    403    403    403    200*",
    ("api-membership-role", "POST"):                 "403    403    403    403    403    200*   403    403    403    200*",
}

MODERATION: Matrix = {
    #                                                 anon   cust   auth   agent  mgr    owner  other  mod    tied   oper
    ("code-of-conduct", "GET"):                      "200    200    200    200    200    200    200    200    200    200",
    ("code-of-conduct", "POST"):                     "405    405    405    405    405    405    405    405    405    405",
    ("moderation:queue", "GET"):                     "login  403    403    403    403    403    403    200    200    200",
    ("moderation:queue", "POST"):                    "login  403    403    403    403    403    403    405    405    405",
    ("moderation:queue-next", "GET"):                "login  403    403    403    403    403    403    405    405    405",
    ("moderation:queue-next", "POST"):               "login  403    403    403    403    403    403    302*   302    302",
    ("moderation:item", "GET"):                      "login  403    403    403    403    403    403    200*   403    403",
    ("moderation:item", "POST"):                     "login  403    403    403    403    403    403    405    405    405",
    ("moderation:item-claim", "GET"):                "login  403    403    403    403    403    403    405    405    405",
    ("moderation:item-claim", "POST"):               "login  403    403    403    403    403    403    302*   403    403",
    ("moderation:item-release", "GET"):              "login  403    403    403    403    403    403    405    405    405",
    ("moderation:item-release", "POST"):             "login  403    403    403    403    403    403    302    403    403",
    ("moderation:item-decide", "GET"):               "login  403    403    403    403    403    403    405    405    405",
    ("moderation:item-decide", "POST"):              "login  403    403    403    403    403    403    302*   403    403",
    ("moderation:item-bulk-decide", "GET"):          "login  403    403    403    403    403    403    405    405    405",
    ("moderation:item-bulk-decide", "POST"):         "login  403    403    403    403    403    403    400    403    403",
    ("moderation:submission", "GET"):                "login  403    403    403    403    403    403    200    403    403",
    ("moderation:submission", "POST"):               "login  403    403    403    403    403    403    405    405    405",
    ("moderation:measures", "GET"):                  "login  403    403    403    403    403    403    403    403    200",
    ("moderation:measures", "POST"):                 "login  403    403    403    403    403    403    403    403    405",
    ("moderation:proof-document", "GET"):            "404    403    403    403    403    403    403    200    403    403",
    ("moderation:proof-document", "POST"):           "405    405    405    405    405    405    405    405    405    405",
    ("how-reviews-work", "GET"):                     "200    200    200    200    200    200    200    200    200    200",
    ("how-reviews-work", "POST"):                    "405    405    405    405    405    405    405    405    405    405",
    ("rating-method", "GET"):                        "200    200    200    200    200    200    200    200    200    200",
    ("rating-method", "POST"):                       "405    405    405    405    405    405    405    405    405    405",
    ("independence", "GET"):                         "200    200    200    200    200    200    200    200    200    200",
    ("independence", "POST"):                        "405    405    405    405    405    405    405    405    405    405",
    ("commitments", "GET"):                          "200    200    200    200    200    200    200    200    200    200",
    ("commitments", "POST"):                         "405    405    405    405    405    405    405    405    405    405",
    ("transparency", "GET"):                         "200    200    200    200    200    200    200    200    200    200",
    ("transparency", "POST"):                        "405    405    405    405    405    405    405    405    405    405",
    ("transparency-csv", "GET"):                     "200    200    200    200    200    200    200    200    200    200",
    ("transparency-csv", "POST"):                    "405    405    405    405    405    405    405    405    405    405",
    ("privacy", "GET"):                              "200    200    200    200    200    200    200    200    200    200",
    ("privacy", "POST"):                             "200    200    200    200    200    200    200    200    200    200",
    ("api-code-of-conduct", "GET"):                  "200    200    200    200    200    200    200    200    200    200",
    ("api-transparency", "GET"):                     "200    200    200    200    200    200    200    200    200    200",
    ("api-appeals", "POST"):                         "403    400    404    404    404    404    404    404    404    404",
    ("api-moderation-queue", "GET"):                 "403    403    403    403    403    403    403    200    200    200",
    ("api-moderation-queue-next", "POST"):           "403    403    403    403    403    403    403    200*   204    204",
    ("api-moderation-bulk-decide", "POST"):          "403    403    403    403    403    403    403    200*   200    200",
    ("api-moderation-item", "GET"):                  "403    403    403    403    403    403    403    200    403    403",
    ("api-moderation-item-claim", "POST"):           "403    403    403    403    403    403    403    200*   403    403",
    ("api-moderation-item-release", "POST"):         "403    403    403    403    403    403    403    409    409    409",
    ("api-moderation-item-decide", "POST"):          "403    403    403    403    403    403    403    200*   403    403",
    ("api-moderation-measures", "GET"):              "403    403    403    403    403    403    403    403    403    200",
}

REVIEWS: Matrix = {
    #                                                 anon   cust   auth   agent  mgr    owner  other  mod    tied   oper
    ("reviews:mine", "GET"):                         "login  200    200    200    200    200    200    200    200    200",
    ("reviews:mine", "POST"):                        "login  405    405    405    405    405    405    405    405    405",
    ("reviews:withdraw", "GET"):                     "login  405    405    405    405    405    405    405    405    405",
    ("reviews:withdraw", "POST"):                    "login  302    302*   302    302    302    302    302    302    302",
    ("reviews:helpful", "GET"):                      "login  405    405    405    405    405    405    405    405    405",
    ("reviews:helpful", "POST"):                     "login  302*   302    302*   302*   302*   302*   302*   302*   302*",
    ("reviews:write", "GET"):                        "login  200    200    200    200    200    200    200    200    200",
    ("reviews:write", "POST"):                       "login  302*   400    400    400    400    302*   302*   400    302*",
    ("reviews:write-in-store", "GET"):               "login  200    200    200    200    200    200    200    200    200",
    ("reviews:write-in-store", "POST"):              "login  302*   400    400    400    400    302*   302*   400    302*",
    ("reviews:write-invited", "GET"):                "200    200    200    200    200    200    200    200    200    200",
    ("reviews:write-invited", "POST"):               "200    200    200    200    200    200    200    200    200    200",
    ("reviews:proof-upload", "GET"):                 "login  404    200    404    404    404    404    404    404    404",
    ("reviews:proof-upload", "POST"):                "login  404    400    404    404    404    404    404    404    404",
    ("reviews:report", "GET"):                       "200    200    200    200    200    200    200    200    200    200",
    ("reviews:report", "POST"):                      "403    409    400    302*   302*   302*   403    403    302*   403",
    ("reviews:report-filed", "GET"):                 "404    404    404    404    404    404    404    404    404    404",
    ("reviews:report-filed", "POST"):                "405    405    405    405    405    405    405    405    405    405",
    ("reviews:my-reports", "GET"):                   "login  200    200    200    200    200    200    200    200    200",
    ("reviews:my-reports", "POST"):                  "login  405    405    405    405    405    405    405    405    405",
    ("reviews:statement", "GET"):                    "login  404    404    404    404    404    404    404    404    404",
    ("reviews:statement", "POST"):                   "login  405    405    405    405    405    405    405    405    405",
    ("reviews:appeal", "GET"):                       "login  404    404    404    404    404    404    404    404    404",
    ("reviews:appeal", "POST"):                      "login  404    404    404    404    404    404    404    404    404",
    ("reviews:appeal-report", "GET"):                "login  200    404    404    404    404    404    404    404    404",
    ("reviews:appeal-report", "POST"):               "login  400    404    404    404    404    404    404    404    404",
    ("reviews:appeal-notice", "GET"):                "404    404    404    404    404    404    404    404    404    404",
    ("reviews:appeal-notice", "POST"):               "404    404    404    404    404    404    404    404    404    404",
    ("reviews:brand-reviews", "GET"):                "login  403    403    200    200    200    403    403    200    403",
    ("reviews:brand-reviews", "POST"):               "login  405    405    405    405    405    405    405    405    405",
    ("reviews:reply", "GET"):                        "login  405    405    405    405    405    405    405    405    405",
    ("reviews:reply", "POST"):                       "login  302    302    302    302    302    302    302    302    302",
    ("reviews:reply-update", "GET"):                 "login  405    405    405    405    405    405    405    405    405",
    ("reviews:reply-update", "POST"):                "login  302    302    302*   302*   302*   302    302    302*   302",
    ("reviews:reply-report", "GET"):                 "200    200    200    200    200    200    200    200    200    200",
    ("reviews:reply-report", "POST"):                "403    302*   302*   302*   302*   400    302*   302*   302*   302*",
    ("reviews:reply-attachment", "GET"):             "200    200    200    200    200    200    200    200    200    200",
    ("reviews:reply-attachment", "POST"):            "405    405    405    405    405    405    405    405    405    405",
    ("reviews:brand-dashboard", "GET"):              "login  403    403    200    200    200    403    403    200    403",
    ("reviews:brand-dashboard", "POST"):             "login  405    405    405    405    405    405    405    405    405",
    ("reviews:brand-dashboard-csv", "GET"):          "login  403    403    200    200    200    403    403    200    403",
    ("reviews:brand-dashboard-csv", "POST"):         "login  405    405    405    405    405    405    405    405    405",
    ("brand-invitations", "GET"):                    "login  403    403    403    200    200    403    403    403    403",
    ("brand-invitations", "POST"):                   "login  405    405    405    405    405    405    405    405    405",
    ("place-poster", "GET"):                         "login  403    403    200    200    200    403    403    200    403",
    ("place-poster", "POST"):                        "login  405    405    405    405    405    405    405    405    405",
    ("place-display", "GET"):                        "200    200    200    200    200    200    200    200    200    200",
    ("place-display", "POST"):                       "405    405    405    405    405    405    405    405    405    405",
    ("brand-search", "GET"):                         "200    200    200    200    200    200    200    200    200    200",
    ("brand-search", "POST"):                        "405    405    405    405    405    405    405    405    405    405",
    ("brand-detail", "GET"):                         "200    200    200    200    200    200    200    200    200    200",
    ("brand-detail", "POST"):                        "405    405    405    405    405    405    405    405    405    405",
    ("place-detail", "GET"):                         "200    200    200    200    200    200    200    200    200    200",
    ("place-detail", "POST"):                        "405    405    405    405    405    405    405    405    405    405",
    ("brand-widget", "GET"):                         "200    200    200    200    200    200    200    200    200    200",
    ("brand-widget", "POST"):                        "405    405    405    405    405    405    405    405    405    405",
    ("review-history", "GET"):                       "200    200    200    200    200    200    200    200    200    200",
    ("review-history", "POST"):                      "405    405    405    405    405    405    405    405    405    405",
    ("review-history-json", "GET"):                  "200    200    200    200    200    200    200    200    200    200",
    ("review-history-json", "POST"):                 "405    405    405    405    405    405    405    405    405    405",
    ("api-brand-reviews", "GET"):                    "200    200    200    200    200    200    200    200    200    200",
    ("api-brand-rating", "GET"):                     "200    200    200    200    200    200    200    200    200    200",
    ("api-brand-dashboard", "GET"):                  "403    403    403    200    200    200    403    403    200    403",
    ("api-brand-dashboard-csv", "GET"):              "403    403    403    200    200    200    403    403    200    403",
    ("api-reviews", "GET"):                          "200    200    200    200    200    200    200    200    200    200",
    ("api-reviews", "POST"):                         "403    201*   409    403    403    403    201*   201*   403    201*",
    ("api-my-reviews", "GET"):                       "403    200    200    200    200    200    200    200    200    200",
    ("api-review-withdraw", "POST"):                 "403    403    200*   403    403    403    403    403    403    403",
    ("api-review-helpful", "POST"):                  "403    201*   403    201*   201*   201*   201*   201*   201*   201*",
    ("api-review-proof", "GET"):                     "403    404    404    404    404    404    404    404    404    404",
    ("api-review-proof", "POST"):                    "403    415    415    415    415    415    415    415    415    415",
    ("api-review-reports", "POST"):                  "403    409    400    201*   201*   201*   201*   201*   201*   201*",
    ("api-review-flags", "POST"):                    "403    409    400    201*   201*   201*   403    403    201*   403",
    ("api-my-reports", "GET"):                       "403    200    200    200    200    200    200    200    200    200",
    ("api-review-reply", "POST"):                    "403    403    403    409    409    409    403    403    409    403",
    ("api-review-reply", "PUT"):                     "403    403    403    201*   201*   201*   403    403    201*   403",
}

# fmt: on

MATRIX: Matrix = {**PLATFORM, **ACCOUNTS, **BRANDS, **MODERATION, **REVIEWS}
ROUTES = {route.name: route for route in routes()}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """One world for the whole module, in a transaction rolled back at the end (each test's
    own transaction is a savepoint inside it)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_every_url_pattern_has_its_rows() -> None:
    # Given the URL patterns of the project (Django's admin aside: see test_admin_is_for_staff)
    expected = {(route.name, method) for route in ROUTES.values() for method in route.methods}
    # Then each method of each has a row, and no row names a pattern that is gone
    missing = sorted(expected - MATRIX.keys())
    stale = sorted(MATRIX.keys() - expected)
    assert not missing, (
        "URL patterns without a row in the permission matrix "
        f"(tests/security/test_permission_matrix.py): {missing}"
    )
    assert not stale, f"rows of the permission matrix for URL patterns that are gone: {stale}"
    assert all(len(row.split()) == len(ROLES) for row in MATRIX.values())
    assert set(BODIES) <= set(ROUTES), "a request body for an URL pattern that is gone"


@pytest.mark.req("ISO-GEN-1")
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_each_role_gets_the_expected_status(world: World, name: str, db: None) -> None:
    route: Route = ROUTES[name]
    wrong = []
    for method in route.methods:
        if (name, method) not in MATRIX:
            pytest.fail(f"no row for {name} {method} in the permission matrix")
        for role, cell in zip(ROLES, MATRIX[(name, method)].split(), strict=True):
            # Given the role, when it sends the request
            status, changed = request_as(world, role, route, method)
            # Then it gets the status of the matrix, and changes rows only where a * says so
            got = status + ("*" if changed else "")
            if got != cell:
                wrong.append(f"{method} as {role}: expected {cell}, got {got}")
    assert not wrong, f"{name} ({route.route}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_admin_is_for_staff(world: World, role: str, db: None, client) -> None:  # type: ignore[no-untyped-def]
    # Given Django's admin, outside the matrix (its URLs are per model)
    assert NOT_IN_MATRIX == ("admin/",)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    # When the role opens its index
    response = client.get("/admin/")
    # Then only the operator (staff) gets in; everybody else is sent to the admin's login
    if role == "operator":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
