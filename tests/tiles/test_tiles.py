"""The province's base map served from an MBTiles file: XYZ → TMS row flip, caching headers,
404 outside the file, and a damaged or wrong file refused with a reason."""
from __future__ import annotations

import io
import sqlite3

import pytest
from PIL import Image

from fieldapp.tiles.mbtiles import TilesRefused, open_tileset

from .mbtiles_file import colour_of, png, write_mbtiles


@pytest.fixture
def tiles_file(tmp_path):
    tiles = {(z, x, y): png(colour_of(z, x, y)) for z, x, y in
             [(14, 13141, 7597), (14, 13141, 7598), (15, 26282, 15195), (2, 3, 1)]}
    return write_mbtiles(tmp_path / "base.mbtiles", tiles)


@pytest.fixture
def tiled(make_app, tiles_file):
    return make_app(MAP_TILES_FILE=str(tiles_file)).test_client()


def pixel(data: bytes) -> tuple:
    return Image.open(io.BytesIO(data)).convert("RGB").getpixel((128, 200))


def test_a_tile_is_served_from_its_tms_row(tiled):
    for z, x, y in [(14, 13141, 7597), (14, 13141, 7598), (2, 3, 1)]:
        response = tiled.get(f"/tiles/{z}/{x}/{y}")
        assert response.status_code == 200
        assert response.mimetype == "image/png"
        assert pixel(response.data) == colour_of(z, x, y)  # the flipped row holds exactly this tile


def test_the_unflipped_row_is_not_served(tiled):
    # Row 1 at zoom 2 is stored as TMS row 2; asking for XYZ row 2 must not find it.
    assert tiled.get("/tiles/2/3/2").status_code == 404


def test_caching_headers_and_a_304_on_a_second_ask(tiled):
    first = tiled.get("/tiles/14/13141/7597")
    assert "public" in first.headers["Cache-Control"] and "max-age=" in first.headers["Cache-Control"]
    etag = first.headers["ETag"]
    again = tiled.get("/tiles/14/13141/7597", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert tiled.get("/tiles/14/13141/7598").headers["ETag"] != etag


@pytest.mark.parametrize("url", ["/tiles/14/1/1", "/tiles/13/6570/3798", "/tiles/25/1/1", "/tiles/2/9/1",
                                 "/tiles/99999999999999999999/1/1"])
def test_outside_the_file_is_404(tiled, url):
    assert tiled.get(url).status_code == 404


def test_without_a_file_tiles_are_404(client):
    assert client.get("/tiles/14/13141/7597").status_code == 404


def test_a_damaged_file_is_refused_with_a_reason(make_app, tmp_path):
    bad = tmp_path / "hong.mbtiles"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x07" * 5000)
    client = make_app(MAP_TILES_FILE=str(bad)).test_client()
    response = client.get("/tiles/14/13141/7597")
    assert response.status_code == 503
    assert "hong.mbtiles" in response.get_data(as_text=True)
    assert "hỏng" in response.get_data(as_text=True)


@pytest.mark.parametrize("content, words", [
    (b"not a database at all", "không phải tệp MBTiles"),
    (None, "không có bảng"),
    ("vector", "vector"),
])
def test_wrong_files_are_refused_in_vietnamese(app, tmp_path, content, words):
    path = tmp_path / "x.mbtiles"
    if content is None:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE metadata (name text, value text)")
        conn.commit()
        conn.close()
    elif content == "vector":
        write_mbtiles(path, {(1, 0, 0): b"\x1a\x02pbf"}, fmt="pbf")
    else:
        path.write_bytes(content)
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        with pytest.raises(TilesRefused) as refused:
            open_tileset(path)
        assert words in str(refused.value)


def test_jpeg_tiles_carry_their_type(make_app, tmp_path):
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (10, 20, 30)).save(out, "JPEG")
    path = write_mbtiles(tmp_path / "j.mbtiles", {(3, 6, 3): out.getvalue()}, fmt="jpg")
    response = make_app(MAP_TILES_FILE=str(path)).test_client().get("/tiles/3/6/3")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
