"""The catalogue: home page with every product, category pages, product pages."""

from __future__ import annotations

import hashlib

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from storefront.cart.forms import AddToCartForm
from storefront.extensions import db
from storefront.models import Category, Product
from storefront.reviews import service as review_service
from storefront.reviews.forms import ReviewForm

bp = Blueprint("shop", __name__)


def _categories() -> list[Category]:
    return list(db.session.execute(select(Category).order_by(Category.position)).scalars())


@bp.route("/")
def index():
    products = db.session.execute(
        select(Product).where(Product.is_active).order_by(Product.category_id, Product.id)
    ).scalars()
    return render_template(
        "shop/index.html", products=list(products), categories=_categories(), current=None
    )


@bp.route("/category/<slug>")
def category(slug: str):
    current = db.session.execute(select(Category).where(Category.slug == slug)).scalar_one_or_none()
    if current is None:
        abort(404, description="There is no such category.")
    products = db.session.execute(
        select(Product).where(Product.is_active, Product.category_id == current.id)
    ).scalars()
    return render_template(
        "shop/index.html", products=list(products), categories=_categories(), current=current
    )


def active_product_or_404(slug: str) -> Product:
    """A product on sale, by slug; 404 for unknown and withdrawn ones alike."""
    item = db.session.execute(
        select(Product).where(Product.slug == slug, Product.is_active)
    ).scalar_one_or_none()
    if item is None:
        abort(404, description="We couldn't find that product.")
    return item


@bp.route("/products/<slug>")
def product(slug: str):
    item = active_product_or_404(slug)
    form = AddToCartForm(product_id=item.id, quantity=1)
    return render_template(
        "shop/product.html",
        product=item,
        form=form,
        reviews=review_service.approved_reviews(item),
        review_form=ReviewForm(formdata=None),
        can_review=current_user.is_authenticated
        and not review_service.has_reviewed(current_user, item),
    )


@bp.route("/products/<slug>.svg")
def product_image(slug: str):
    """A generated product illustration: no binary assets to ship or license."""
    item = db.session.execute(select(Product).where(Product.slug == slug)).scalar_one_or_none()
    if item is None:
        abort(404)
    background, accent = (item.image_colors.split(",") + ["#264653"])[:2]
    svg = render_template(
        "shop/product.svg",
        product=item,
        background=background,
        accent=accent,
        motif=item.image_motif,
    )
    etag = hashlib.sha256(svg.encode()).hexdigest()[:16]
    if request.if_none_match.contains(etag):
        return "", 304
    return (
        svg,
        200,
        {
            "Content-Type": "image/svg+xml",
            "Cache-Control": "public, max-age=3600",
            "ETag": f'"{etag}"',
        },
    )
