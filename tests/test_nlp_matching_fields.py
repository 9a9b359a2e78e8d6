"""Regression tests for post field extraction: kind, spec words, case, capacity, bounds."""
from nlp.matching.posts import classify_group_message, extract_post, has_product


def test_offering_stock_beats_asking_who_needs_it():
    text = "有没有企业需要液压油缸的？我们有库存"
    assert extract_post(text).kind == "supply"
    assert classify_group_message(text) == "supply"
    assert extract_post("谁有液压油缸？急需").kind == "demand"


def test_spec_words_codes_and_case():
    f = extract_post("求购石墨电极 UHP 50吨")
    assert f.products == ["石墨电极"] and "UHP" in f.specs
    g = extract_post("急需PP颗粒20吨，注塑级")
    assert g.products == ["PP颗粒"] and "注塑级" in g.specs
    h = extract_post("长期供应液压油缸，缸径50-200mm")
    assert h.products == ["液压油缸"] and "缸径50-200mm" in h.specs
    k = extract_post("供应6061-T6铝板 3mm 100吨")
    assert "6061-T6" in k.specs and "3mm" in k.specs and "3MM" not in k.specs


def test_capacity_and_delivery_place_are_not_quantity_or_region():
    f = extract_post("本公司长期供应Q235B热轧钢板，厚度6-20mm，月产能2000吨，可送货到邹城")
    assert f.products == ["热轧钢板"]
    assert f.region is None and f.quantity is None and f.capacity == "月产能2000吨"
    assert "Q235B" in f.specs and "厚度6-20mm" in f.specs


def test_bounds_come_with_notes():
    f = extract_post("供应钢板 有效期1000年")
    assert f.validity_days == 365 and any("最长365天" in n for n in f.notes)
    z = extract_post("供应钢板 有效期0天")
    assert z.validity_days == 30 and any("至少1天" in n for n in z.notes)
    neg = extract_post("供应钢板-5吨")
    assert neg.quantity is None and any("负数" in n for n in neg.notes)
    big = extract_post("供应钢板100000000000吨")
    assert big.quantity is None and any("超过1亿" in n for n in big.notes)
    assert extract_post("供应钢板 500吨").notes == []


def test_product_required():
    assert not has_product("我想问一下")
    assert has_product("急需PP颗粒20吨")


def test_asking_for_stock_stays_demand():
    assert extract_post("有没有人有货？我们急需要钢板").kind == "demand"
    assert extract_post("谁有现货？需要液压油缸").kind == "demand"
    assert extract_post("哪家企业需要钢板，本厂有现货").kind == "supply"


def test_specs_are_not_repeated_and_capacity_after_quantity():
    f = extract_post("求购板材 5052-H32 2mm")
    assert "5052-H32" in f.specs and "H32" not in f.specs
    g = extract_post("供应食品级不锈钢管 直径50mm")
    assert "直径50mm" in g.specs and "50mm" not in g.specs
    h = extract_post("供应304不锈钢卷 0.5毫米 20吨 年产5万吨")
    assert h.quantity == "20吨" and h.capacity == "年产5万吨"
