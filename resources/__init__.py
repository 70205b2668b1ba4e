"""The app's resources. Installed (setup.py), this folder is the package `app.resources`; code finds its
files through app.assets.resource(), never by a path of its own."""
