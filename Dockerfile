FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
# The precompiled CSS looks for fonts and images at /assets/; ours are beside it.
RUN npm ci --no-audit --no-fund \
 && sed -i 's#url(/assets/#url(assets/#g' node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=tafcase.settings_production
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    fonts-dejavu-core && rm -rf /var/lib/apt/lists/* && useradd --system --create-home tafcase
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
COPY --from=assets /app/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css /app/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/govuk/
COPY --from=assets /app/node_modules/govuk-frontend/dist/govuk/assets static/govuk/assets
COPY --from=assets /app/node_modules/axe-core/axe.min.js static/vendor/
RUN SECRET_KEY=build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(50))') \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --no-input -v 0
USER tafcase
EXPOSE 8000
CMD ["gunicorn", "tafcase.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4"]
