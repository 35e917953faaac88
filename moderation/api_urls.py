from django.urls import path

from moderation import apis, appeal_apis

urlpatterns = [
    path("code-of-conduct/", apis.CodeOfConductApi.as_view(), name="api-code-of-conduct"),
    path("transparency/", apis.TransparencyApi.as_view(), name="api-transparency"),
    path("appeals/", appeal_apis.AppealCreateApi.as_view(), name="api-appeals"),
    # The moderators' workspace (issue 4).
    path("moderation/queue/", apis.QueueListApi.as_view(), name="api-moderation-queue"),
    path("moderation/queue/next/", apis.QueueNextApi.as_view(), name="api-moderation-queue-next"),
    path(
        "moderation/items/bulk-decide/",
        apis.WorkItemBulkDecideApi.as_view(),
        name="api-moderation-bulk-decide",
    ),
    path(
        "moderation/items/<id:item_id>/",
        apis.WorkItemDetailApi.as_view(),
        name="api-moderation-item",
    ),
    path(
        "moderation/items/<id:item_id>/claim/",
        apis.WorkItemClaimApi.as_view(),
        name="api-moderation-item-claim",
    ),
    path(
        "moderation/items/<id:item_id>/release/",
        apis.WorkItemReleaseApi.as_view(),
        name="api-moderation-item-release",
    ),
    path(
        "moderation/items/<id:item_id>/decide/",
        apis.WorkItemDecideApi.as_view(),
        name="api-moderation-item-decide",
    ),
    path(
        "moderation/measures/",
        apis.ModerationMeasuresApi.as_view(),
        name="api-moderation-measures",
    ),
]
