"""Customers submit reviews from the product page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from storefront.cart.forms import AddToCartForm
from storefront.reviews import service
from storefront.reviews.forms import ReviewForm
from storefront.shop.routes import active_product_or_404
from storefront.shopper import RequestContext

bp = Blueprint("reviews", __name__)


@bp.route("/products/<slug>/reviews", methods=["POST"])
@login_required
def submit(slug: str):
    product = active_product_or_404(slug)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            service.submit_review(
                current_user,
                product,
                rating=int(form.rating.data),
                body=form.body.data,
                context=RequestContext.from_request(request),
            )
        except service.ReviewError as error:
            flash(str(error), "info")
            return redirect(url_for("shop.product", slug=slug)), 303
        flash(
            "Thank you! Your review will appear once we have read it; "
            "its loyalty points are pending until then.",
            "success",
        )
        return redirect(url_for("shop.product", slug=slug))
    return render_template(
        "shop/product.html",
        product=product,
        form=AddToCartForm(formdata=None, product_id=product.id, quantity=1),
        review_form=form,
        reviews=service.approved_reviews(product),
        can_review=True,
    ), 400
