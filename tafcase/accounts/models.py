from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


class LocalAuthority(models.Model):
    """A council. Families, panels, claims and reports belong to one authority."""

    name = models.CharField(max_length=120, unique=True)
    # ONS local authority district code, e.g. E08000025.
    code = models.CharField(max_length=9, unique=True)
    # Administrators and the programme team always need a second factor
    # (settings.TWO_FACTOR_REQUIRED_ROLES); an authority may ask it of everyone.
    two_factor_for_everyone = models.BooleanField(
        "Ask every user for a second factor",
        default=False,
        help_text="Every user who works for this authority, not only administrators and the "
        "programme team, sets up an authenticator app and enters a code when signing in.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    class Kind(models.TextChoices):
        LA_EARLY_HELP = "la_early_help", "Local authority early help"
        CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
        POLICE = "police", "Police"
        EDUCATION = "education", "School or education"
        HEALTH = "health", "Health"
        DWP = "dwp", "DWP / Jobcentre Plus"
        YOUTH_OFFENDING = "youth_offending", "Youth offending"
        PROBATION = "probation", "Probation"
        HOUSING = "housing", "Housing"
        VOLUNTARY = "voluntary", "Voluntary sector"
        OTHER = "other", "Other"

    name = models.CharField(max_length=160, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # Blank for partners that work across several authorities (004: one provider, two boroughs).
    local_authority = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="agencies"
    )
    # Row-level permissions on families are granted to this group (DESIGN.md §4).
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="agency")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    KEY_WORKER = "key_worker", "Key worker"
    PANEL_CHAIR = "panel_chair", "Panel chair"
    PANEL_MEMBER = "panel_member", "Panel member"
    COORDINATOR = "coordinator", "Coordinator"
    DATA_ANALYST = "data_analyst", "Data analyst"
    MANAGER = "manager", "Manager"
    AUDITOR = "auditor", "Auditor"
    PARTNER_PRACTITIONER = "partner_practitioner", "Partner practitioner"
    ADMINISTRATOR = "administrator", "Administrator"


# Roles that read but never change case records. Panel members read the agendas of their
# panels; the chair and coordinators run them.
READ_ONLY_ROLES = frozenset({Role.MANAGER, Role.AUDITOR, Role.PANEL_MEMBER})
# Roles that see every family of the authorities they serve (DESIGN.md §4).
PROGRAMME_TEAM_ROLES = frozenset({Role.COORDINATOR, Role.DATA_ANALYST})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("roles", [Role.ADMINISTRATOR])
        fields["is_superuser"] = True
        return self.create_user(email, password, **fields)


class ProfessionalBackground(models.TextChoices):
    """A key worker's profession before the programme, for slicing the key-worker report
    card (reporting.md §1)."""

    SOCIAL_WORK = "social_work", "Social work"
    EDUCATION = "education", "Education"
    HEALTH = "health", "Health"
    POLICE = "police", "Police"
    YOUTH_WORK = "youth_work", "Youth work"
    HOUSING = "housing", "Housing"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    OTHER = "other", "Other"


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Signs in with an email address; belongs to one agency."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    # Null only for the bootstrap superuser made by `createsuperuser`.
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    roles = ArrayField(
        models.CharField(max_length=32, choices=Role.choices), default=list, blank=True
    )
    # The authorities whose programme a coordinator, analyst, chair or manager serves.
    authorities = models.ManyToManyField(LocalAuthority, blank=True, related_name="staff")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Set by an administrator: the account cannot sign in or use its API tokens until then.
    # Failed sign-ins never set it (SignInThrottle), so nobody can lock someone else out.
    locked_until = models.DateTimeField(
        "Locked until",
        null=True,
        blank=True,
        help_text="The account cannot sign in or use API tokens until this time.",
    )

    # What the key-worker report card slices by (reporting.md §1, §2). Blank until an
    # administrator records it.
    professional_background = models.CharField(
        "Professional background",
        max_length=20,
        choices=ProfessionalBackground.choices,
        blank=True,
        help_text="The key worker's profession, for the key-worker report card.",
    )
    dedicated_key_worker = models.BooleanField(
        "Dedicated key worker",
        default=False,
        help_text="Works only as a key worker, rather than alongside another job.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        indexes = [models.Index(fields=["agency"])]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def is_staff(self) -> bool:
        """The Django admin is for administrators only."""
        return self.is_active and self.has_role(Role.ADMINISTRATOR)

    @property
    def is_read_only(self) -> bool:
        """True when every role the user holds only reads."""
        return bool(self.roles) and all(role in READ_ONLY_ROLES for role in self.roles)

    def is_locked(self, now=None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())

    def has_perm(self, perm, obj=None) -> bool:
        # Administrators configure the system (agencies, users, rulebooks) through the
        # admin, which asks for model-level permissions. Object-level permissions (families)
        # are never implied by the role.
        if obj is None and self.is_staff:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        return self.is_staff or super().has_module_perms(app_label)


class Locality(models.Model):
    """A ward or locality of an authority, for caseload routing and report slicing."""

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="localities"
    )
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "localities"
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "name"], name="locality_unique_per_authority"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SignInThrottle(models.Model):
    """Failed sign-ins and password-reset requests, counted per account and address and per
    address alone. Accounts are held as a keyed digest of the email typed, so rows exist
    (and refusals read) the same for addresses that have no account.

    Only tafcase.accounts.services writes these rows.
    """

    class Scope(models.TextChoices):
        SIGN_IN = "sign_in", "Sign-in from one address to one account"
        SIGN_IN_ADDRESS = "sign_in_address", "Sign-in from one address"
        RESET = "reset", "Password reset for one account"
        RESET_ADDRESS = "reset_address", "Password reset from one address"

    scope = models.CharField(max_length=20, choices=Scope.choices)
    account = models.CharField(max_length=64, blank=True)
    address = models.CharField(max_length=45, blank=True)
    hits = models.PositiveIntegerField(default=0)
    # How many times this key has been blocked since it was last quiet: each block is
    # twice as long as the one before.
    blocks = models.PositiveSmallIntegerField(default=0)
    blocked_until = models.DateTimeField(null=True, blank=True)
    last_hit_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "account", "address"], name="sign_in_throttle_unique_key"
            )
        ]


class ApiToken(models.Model):
    """A named API credential. Only a digest of the secret is stored; the secret is shown
    once, when it is made. Refused once expired or revoked, or while its user is inactive
    or locked."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    digest = models.CharField(max_length=64, unique=True)
    # The first characters of the secret, so its holder can tell tokens apart.
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now
