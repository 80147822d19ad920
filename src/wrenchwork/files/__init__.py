"""Attachments of every record: one mechanism (storage, sniffing, image variants, upload, serving) for all."""
