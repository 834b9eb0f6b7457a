# Prepares a fresh Mayan EDMS as a city administrator would for Eingang (run once through
# `mayan-edms.py shell`): an API user, the document type "Eingang" with its metadata types
# (the item id, the file name, the SHA-256), automatic OCR off for that type.
from django.contrib.auth import get_user_model

from mayan.apps.documents.models import DocumentType
from mayan.apps.metadata.models import DocumentTypeMetadataType, MetadataType
from mayan.apps.ocr.models import DocumentTypeOCRSettings

user, _ = get_user_model().objects.get_or_create(username='eingang')
user.is_superuser = True
user.is_staff = True
user.set_password('geheim-42')
user.save()

document_type, _ = DocumentType.objects.get_or_create(label='Eingang')
for name, label in (
    ('eingang_vorgang', 'Eingang: Vorgang'),
    ('eingang_datei', 'Eingang: Datei'),
    ('eingang_sha256', 'Eingang: SHA-256'),
    ('eingang_formular', 'Eingang: Formular'),
):
    metadata_type, _ = MetadataType.objects.get_or_create(
        name=name, defaults={'label': label}
    )
    DocumentTypeMetadataType.objects.get_or_create(
        document_type=document_type, metadata_type=metadata_type,
        defaults={'required': False}
    )
DocumentTypeOCRSettings.objects.update_or_create(
    document_type=document_type, defaults={'auto_ocr': False}
)
print('eingang target ready')
