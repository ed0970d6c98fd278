from django.urls import path

from akhbar.moderation import views

urlpatterns = [
    path("img/<str:sha256>/signaler/", views.report_image, name="image-report"),
]
