from django.urls import path

from reviews import (
    appeal_views,
    dashboard_views,
    in_shop_views,
    invitation_views,
    proof_views,
    reply_views,
    reporting_views,
    views,
)

app_name = "reviews"
urlpatterns = [
    path("mes-avis/", views.my_reviews, name="mine"),
    path("<id:review_id>/retirer/", views.withdraw, name="withdraw"),
    path("<id:review_id>/utile/", views.vote_helpful, name="helpful"),
    path("ecrire/<slug:slug>/", views.write_review, name="write"),
    path(
        "ecrire/<slug:slug>/magasin/<slug:place_slug>/",
        in_shop_views.write_in_store_review,
        name="write-in-store",
    ),
    path("invitation/<str:token>/", invitation_views.write_invited_review, name="write-invited"),
    path("<id:review_id>/preuve/", proof_views.proof_upload, name="proof-upload"),
    path("<id:review_id>/signaler/", reporting_views.report, name="report"),
    path("signalement/recu/", reporting_views.report_filed, name="report-filed"),
    path("mes-signalements/", reporting_views.my_reports, name="my-reports"),
    path("<id:review_id>/decision/", appeal_views.statement, name="statement"),
    path("<id:review_id>/contester/", appeal_views.appeal, name="appeal"),
    path(
        "signalements/<id:report_id>/contester/",
        appeal_views.appeal_report,
        name="appeal-report",
    ),
    path(
        "signalements/contester/<str:token>/",
        appeal_views.appeal_notice,
        name="appeal-notice",
    ),
    # Brand replies: the brand's members answer its reviews (issue 6)
    path("marque/<slug:slug>/", reply_views.brand_reviews, name="brand-reviews"),
    path("<id:review_id>/repondre/", reply_views.reply, name="reply"),
    path("<id:review_id>/reponse/", reply_views.reply_update, name="reply-update"),
    path("<id:review_id>/reponse/signaler/", reply_views.report_reply, name="reply-report"),
    path(
        "reponses/medias/<id:attachment_id>/",
        reply_views.reply_attachment,
        name="reply-attachment",
    ),
    # The brand's figures, for its members (issue 6)
    path(
        "marque/<slug:slug>/tableau-de-bord/",
        dashboard_views.brand_dashboard,
        name="brand-dashboard",
    ),
    path(
        "marque/<slug:slug>/tableau-de-bord/csv/",
        dashboard_views.brand_dashboard_csv,
        name="brand-dashboard-csv",
    ),
]
