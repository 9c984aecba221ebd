"""Admin: product reviews awaiting moderation. (Being built.)"""

from flask import render_template

from storefront.admin import bp


@bp.route("/reviews")
def reviews():
    return render_template("admin/reviews.html", reviews=[])
