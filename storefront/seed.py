"""Demo data: a small catalogue, one admin, one customer. Safe to run again."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from storefront.extensions import db
from storefront.models import Category, Product, User

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "admin-password-1"  # noqa: S105  (published demo credentials)
CUSTOMER_EMAIL = "customer@example.com"
CUSTOMER_PASSWORD = "customer-password-1"  # noqa: S105

CATEGORIES = [
    ("coffee", "Coffee"),
    ("brewing", "Brewing gear"),
    ("mugs", "Mugs & cups"),
    ("apparel", "Apparel"),
]

# slug, name, category, price in cents, colours, motif, description
PRODUCTS = [
    (
        "house-blend",
        "House Blend Beans",
        "coffee",
        1600,
        "#c8553d,#2b2d42",
        "bean",
        "Our everyday roast: chocolate, toasted almond and a clean finish. 340 g bag.",
    ),
    (
        "ethiopia-guji",
        "Ethiopia Guji Single Origin",
        "coffee",
        2100,
        "#f4a259,#5b8e7d",
        "bean",
        "Bright and floral with notes of peach and bergamot. Light roast, 340 g.",
    ),
    (
        "decaf-night-owl",
        "Night Owl Decaf",
        "coffee",
        1800,
        "#3d405b,#f2cc8f",
        "bean",
        "Swiss-water decaf that still tastes of caramel and cocoa. 340 g.",
    ),
    (
        "cold-brew-pack",
        "Cold Brew Pack",
        "coffee",
        2400,
        "#81b29a,#1d3557",
        "drop",
        "Four filter packs of coarse-ground coffee for smooth overnight cold brew.",
    ),
    (
        "pour-over-dripper",
        "Ceramic Pour-over Dripper",
        "brewing",
        3200,
        "#e9c46a,#264653",
        "cone",
        "A hand-glazed ceramic cone for one or two cups. Fits standard #2 filters.",
    ),
    (
        "gooseneck-kettle",
        "Gooseneck Kettle",
        "brewing",
        5900,
        "#2a9d8f,#e76f51",
        "kettle",
        "Precise pouring for pour-over. 0.9 L stainless steel, works on any hob.",
    ),
    (
        "hand-grinder",
        "Burr Hand Grinder",
        "brewing",
        7400,
        "#6d597a,#eaac8b",
        "gear",
        "Conical steel burrs with 24 click settings, from espresso to French press.",
    ),
    (
        "paper-filters",
        "Paper Filters (100)",
        "brewing",
        600,
        "#f1faee,#457b9d",
        "cone",
        "Unbleached #2 cone filters. Rinse before brewing for the cleanest cup.",
    ),
    (
        "stoneware-mug",
        "Stoneware Mug",
        "mugs",
        2200,
        "#bc6c25,#fefae0",
        "mug",
        "A heavy, speckled 350 ml mug that keeps coffee hot. Dishwasher safe.",
    ),
    (
        "double-wall-glass",
        "Double-wall Glass Pair",
        "mugs",
        2800,
        "#a8dadc,#1d3557",
        "glass",
        "Two 250 ml insulated glasses: cool to hold, beautiful with latte layers.",
    ),
    (
        "travel-tumbler",
        "Travel Tumbler",
        "mugs",
        3400,
        "#ef476f,#073b4c",
        "mug",
        "Leak-proof 470 ml tumbler. Hot for 6 hours, iced for 12.",
    ),
    (
        "lion-tee",
        "Lion & Co. Tee",
        "apparel",
        2600,
        "#ffb703,#023047",
        "lion",
        "Soft organic cotton t-shirt with our lion crest. Unisex fit.",
    ),
    (
        "barista-apron",
        "Barista Apron",
        "apparel",
        3900,
        "#606c38,#fefae0",
        "apron",
        "Waxed canvas with leather straps and a pocket for your thermometer.",
    ),
]


# Given away, never sold: inactive, so the catalogue and the cart never offer them.
# The free-gift custom reward puts one on the customer's next order at $0.00
# (storefront/webhooks/gifts.py, GIFT_REWARDS). Same fields as PRODUCTS.
GIFT_PRODUCTS = [
    (
        "lion-tote-bag",
        "Lion & Co. Tote Bag",
        "apparel",
        1500,
        "#e9c46a,#6d597a",
        "lion",
        "Heavy cotton tote with the lion crest. A loyalty reward: not for sale.",
    ),
]


@dataclass
class SeedReport:
    """What one run created (a second run creates nothing)."""

    categories: int
    products: int  # for sale, in the catalogue
    gifts: int  # not for sale: granted by a LoyaltyLion custom reward
    users: int


def _ensure_user(email: str, password: str, name: str, is_admin: bool) -> bool:
    if db.session.execute(select(User).where(User.email == email)).scalar_one_or_none():
        return False
    db.session.add(
        User(
            email=email,
            name=name,
            is_admin=is_admin,
            password_hash=generate_password_hash(
                password, method=current_app.config["PASSWORD_HASH_METHOD"]
            ),
        )
    )
    return True


def seed_demo_data() -> SeedReport:
    created_categories = created_products = created_gifts = created_users = 0
    categories = {c.slug: c for c in db.session.execute(select(Category)).scalars()}
    for position, (slug, name) in enumerate(CATEGORIES):
        if slug not in categories:
            categories[slug] = Category(slug=slug, name=name, position=position)
            db.session.add(categories[slug])
            created_categories += 1
    existing = set(db.session.execute(select(Product.slug)).scalars())
    catalogue = [(row, True) for row in PRODUCTS] + [(row, False) for row in GIFT_PRODUCTS]
    for (slug, name, category, price, colors, motif, description), is_active in catalogue:
        if slug in existing:
            continue
        db.session.add(
            Product(
                slug=slug,
                name=name,
                category=categories[category],
                price_cents=price,
                image_colors=colors,
                image_motif=motif,
                description=description,
                is_active=is_active,
            )
        )
        if is_active:
            created_products += 1
        else:
            created_gifts += 1
    created_users += _ensure_user(ADMIN_EMAIL, ADMIN_PASSWORD, "Store Admin", True)
    created_users += _ensure_user(CUSTOMER_EMAIL, CUSTOMER_PASSWORD, "Demo Customer", False)
    db.session.commit()
    return SeedReport(created_categories, created_products, created_gifts, created_users)
