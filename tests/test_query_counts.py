"""The catalogue and product pages make the same number of SQL statements whatever
the number of products: no query per product (an N+1) hides in a page or template."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from storefront.extensions import db
from storefront.models import Category, Product


def stock_catalogue(app, total: int) -> str:
    """Bring the catalogue to `total` products on sale; returns one product's slug."""
    with app.app_context():
        categories = list(db.session.execute(select(Category)).scalars())
        on_sale = list(db.session.execute(select(Product).where(Product.is_active)).scalars())
        for withdrawn in on_sale[total:]:  # fewer than the seeded catalogue: withdraw some
            withdrawn.is_active = False
        have = min(len(on_sale), total)
        for number in range(total - have):
            db.session.add(
                Product(
                    slug=f"extra-{number}",
                    name=f"Extra item {number}",
                    description="More of the same.",
                    price_cents=1000 + number,
                    category=categories[number % len(categories)],
                    image_colors="sand",
                    image_motif="circle",
                    is_active=True,
                )
            )
        db.session.commit()
        assert (
            db.session.execute(select(func.count()).where(Product.is_active)).scalar_one() == total
        )
        return db.session.execute(select(Product.slug).where(Product.is_active)).scalars().first()


def statements_for(app, client, path: str) -> int:
    count = 0

    def counter(*args):
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    assert response.status_code == 200, path
    return count


def category_slug(app) -> str:
    with app.app_context():
        return (
            db.session.execute(select(Category.slug).order_by(Category.position)).scalars().first()
        )


@pytest.mark.parametrize("logged_in", [False, True], ids=["guest", "customer"])
def test_catalogue_and_product_pages_make_as_many_statements_at_1000_products_as_at_10(
    app, client, auth, logged_in
):
    if logged_in:
        auth.login()
    pages = lambda slug: ["/", f"/category/{category_slug(app)}", f"/products/{slug}"]  # noqa: E731
    slug = stock_catalogue(app, 10)
    client.get("/")  # warm: the first request of a session may set things up
    small = {path: statements_for(app, client, path) for path in pages(slug)}
    slug = stock_catalogue(app, 1000)
    large = {path: statements_for(app, client, path) for path in pages(slug)}
    assert large == small
    assert all(count <= 12 for count in small.values()), small
