"""The cart: a guest's lives behind an id in the signed session cookie, a customer's
is tied to their account. Logging in merges the guest cart into the customer's."""

from __future__ import annotations

from flask import has_request_context, session
from flask_login import current_user
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from storefront.extensions import db
from storefront.models import Cart, CartItem, Product

MAX_QUANTITY = 99
_SESSION_KEY = "cart_id"
# The discount code the shopper's cart carries to checkout: applied there, or put in
# by claiming a reward. Kept in the session, like the guest's cart id.
_CODE_KEY = "discount_code"


class CartError(ValueError):
    pass


def _guest_cart_id() -> int | None:
    value = session.get(_SESSION_KEY)
    return value if isinstance(value, int) else None


def held_code() -> str | None:
    value = session.get(_CODE_KEY)
    return value if isinstance(value, str) and value else None


def hold_code(code: str) -> None:
    """Put a (checked) discount code in the cart: checkout applies it."""
    session[_CODE_KEY] = code


def drop_code() -> None:
    session.pop(_CODE_KEY, None)


def current_cart(create: bool = False) -> Cart | None:
    """The shopper's cart, created on demand when `create` is set."""
    if current_user.is_authenticated:
        cart = _customer_cart(current_user.id)
        if cart is None and create:
            cart = _create_customer_cart(current_user.id)
        return cart
    cart_id = _guest_cart_id()
    cart = db.session.get(Cart, cart_id) if cart_id else None
    if cart is not None and cart.user_id is not None:
        cart = None  # a stale session pointing at someone's account cart
    if cart is None and create:
        cart = Cart()
        db.session.add(cart)
        db.session.flush()
        session[_SESSION_KEY] = cart.id
    return cart


def _customer_cart(user_id: int) -> Cart | None:
    return db.session.execute(select(Cart).where(Cart.user_id == user_id)).scalar_one_or_none()


def _create_customer_cart(user_id: int) -> Cart:
    """A customer has one cart (carts.user_id is unique). Of two requests creating it at
    once, one inserts it and the other, refused by the constraint, uses that one."""
    try:
        with db.session.begin_nested():
            cart = Cart(user_id=user_id)
            db.session.add(cart)
    except IntegrityError:
        cart = _customer_cart(user_id)
        assert cart is not None
    return cart


def cart_quantity() -> int:
    """Number of items in the shopper's cart, for the header badge."""
    if not has_request_context():
        return 0
    if current_user.is_authenticated:
        cart_filter = Cart.user_id == current_user.id
    else:
        cart_id = _guest_cart_id()
        if cart_id is None:
            return 0
        cart_filter = (Cart.id == cart_id) & Cart.user_id.is_(None)
    total = db.session.execute(
        select(func.coalesce(func.sum(CartItem.quantity), 0)).join(Cart).where(cart_filter)
    ).scalar_one()
    return int(total)


def _find_active_product(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None or not product.is_active:
        raise CartError("That product is no longer available.")
    return product


def add_item(product_id: int, quantity: int = 1) -> CartItem:
    """Add to the line for the product, or start it. Safe against a second request doing
    the same at once (a double click, two tabs): the quantities add up, capped, and
    neither request fails."""
    product = _find_active_product(product_id)
    cart = current_cart(create=True)
    assert cart is not None
    if not _add_to_line(cart.id, product.id, quantity):
        try:
            with db.session.begin_nested():  # a savepoint: losing the race undoes only this
                db.session.add(
                    CartItem(
                        cart_id=cart.id, product_id=product.id, quantity=min(quantity, MAX_QUANTITY)
                    )
                )
        except IntegrityError:  # the other request started the line a moment ago
            _add_to_line(cart.id, product.id, quantity)
    db.session.commit()
    return db.session.execute(
        select(CartItem).where(CartItem.cart_id == cart.id, CartItem.product_id == product.id)
    ).scalar_one()


def _add_to_line(cart_id: int, product_id: int, quantity: int) -> bool:
    """One UPDATE, so concurrent additions cannot lose each other. False: no line yet."""
    total = CartItem.quantity + quantity
    result = db.session.execute(
        update(CartItem)
        .where(CartItem.cart_id == cart_id, CartItem.product_id == product_id)
        .values(quantity=case((total > MAX_QUANTITY, MAX_QUANTITY), else_=total))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def set_quantity(product_id: int, quantity: int) -> None:
    """Set a line's quantity; 0 removes it."""
    cart = current_cart()
    item = next((i for i in cart.items if i.product_id == product_id), None) if cart else None
    if item is None:
        raise CartError("That item is not in your cart.")
    if quantity == 0:
        cart.items.remove(item)
    else:
        item.quantity = quantity
    db.session.commit()


def merge_guest_cart(user_id: int) -> None:
    """Called right after login: move the guest's items into the customer's cart."""
    cart_id = session.pop(_SESSION_KEY, None)
    if not isinstance(cart_id, int):
        return
    guest = db.session.get(Cart, cart_id)
    if guest is None or guest.user_id is not None:
        return
    if not guest.items:
        db.session.delete(guest)
        db.session.commit()
        return
    mine = db.session.execute(select(Cart).where(Cart.user_id == user_id)).scalar_one_or_none()
    if mine is None:
        guest.user_id = user_id  # adopt the guest cart whole
    else:
        by_product = {item.product_id: item for item in mine.items}
        for item in guest.items:
            existing = by_product.get(item.product_id)
            if existing is None:
                mine.items.append(CartItem(product_id=item.product_id, quantity=item.quantity))
            else:
                existing.quantity = min(existing.quantity + item.quantity, MAX_QUANTITY)
        db.session.delete(guest)
    db.session.commit()


def empty_cart(cart: Cart) -> None:
    """Remove every line; part of the caller's transaction (no commit)."""
    db.session.execute(delete(CartItem).where(CartItem.cart_id == cart.id))
    db.session.expire(cart, ["items"])
