from django.urls import include, path

from moderation import proof_views, views

# The moderators' workspace (issue 4), under /moderation/ and the `moderation:` namespace:
# add moderator-only pages here.
workspace_patterns = [
    path("file/", views.queue, name="queue"),
    path("file/suivant/", views.queue_next, name="queue-next"),
    path("file/<id:item_id>/", views.work_item, name="item"),
    path("file/<id:item_id>/prendre/", views.work_item_claim, name="item-claim"),
    path("file/<id:item_id>/liberer/", views.work_item_release, name="item-release"),
    path("file/<id:item_id>/decider/", views.work_item_decide, name="item-decide"),
    path("file/<id:item_id>/groupe/", views.work_item_bulk_decide, name="item-bulk-decide"),
    path("contenus/<id:submission_id>/", views.submission_dossier, name="submission"),
    path("mesures/", views.measures, name="measures"),
    path(
        "preuves/<id:proof_id>/document/",
        proof_views.proof_document,
        name="proof-document",
    ),
]

urlpatterns = [
    path("charte/", views.code_of_conduct, name="code-of-conduct"),
    path("moderation/", include((workspace_patterns, "moderation"))),
]
