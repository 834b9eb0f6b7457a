//! The large page of the scan workbench: a processed page rendered for the screen.

use eingang_api::batches;

/// A page imported at 1,240 × 1,754 px comes back as a JPEG whose longer side fits the asked
/// size and keeps the page's proportions; a size outside 200–4,000 is named.
#[test]
fn a_page_is_rendered_for_the_screen_within_the_asked_size() {
    let (dir, store) = super::fresh();
    let batch: eingang_model::BatchId = batches::create(&store, "Ansicht", None)
        .unwrap()
        .id
        .parse()
        .unwrap();
    let file = dir.path().join("brief.png");
    image::GrayImage::from_fn(1240, 1754, |x, y| {
        image::Luma([if (y / 30) % 3 == 0 && x > 100 && x < 1100 {
            30
        } else {
            240
        }])
    })
    .save(&file)
    .unwrap();
    let report = batches::import_paths(&store, &batch, &[file], &|_| {}).unwrap();
    assert_eq!(report.processed, 1, "{report:?}");
    let page: eingang_model::PageId = store
        .with_conn(|c| eingang_store::tables::pages::pages(c, &batch))
        .unwrap()[0]
        .id;
    let jpeg = batches::page_view(&store, &page, 1000).unwrap().unwrap();
    let img = image::load_from_memory(&jpeg).unwrap();
    assert!(
        img.height() <= 1000 && img.height() >= 800,
        "{}×{}",
        img.width(),
        img.height()
    );
    let ratio = f64::from(img.width()) / f64::from(img.height());
    assert!(
        (ratio - 1240.0 / 1754.0).abs() < 0.01,
        "proportions kept: {ratio}"
    );
    let e = batches::page_view(&store, &page, 100).unwrap_err();
    assert_eq!(e.code(), "input.view_size");
}

/// The words the OCR read come back boxed as shares of the page as shown — the sides swapped
/// for a page read turned a quarter — and none while the page is turned differently from
/// how it was read (a box would point at the wrong place).
#[test]
fn ocr_words_are_boxed_on_the_page_as_shown() {
    use eingang_api::batches::page_words;
    use eingang_store::tables::pages;
    let (dir, store) = super::fresh();
    let batch: eingang_model::BatchId = batches::create(&store, "Wörter", None)
        .unwrap()
        .id
        .parse()
        .unwrap();
    let file = dir.path().join("brief.png");
    image::GrayImage::from_pixel(1000, 2000, image::Luma([250]))
        .save(&file)
        .unwrap();
    batches::import_paths(&store, &batch, &[file], &|_| {}).unwrap();
    let row = store.with_conn(|c| pages::pages(c, &batch)).unwrap()[0].clone();
    let (w, h) = (row.width.unwrap(), row.height.unwrap());
    assert_eq!((w, h), (1000, 2000));
    assert!(
        page_words(&store, &row.id).unwrap().is_empty(),
        "not read yet"
    );

    let read = |rotation: u8| {
        serde_json::json!({"rotation": rotation, "words": [
            {"text": "Aktenzeichen:", "x": 100, "y": 200, "w": 300, "h": 40},
            {"text": "61.2-123/2026", "x": 500, "y": 200, "w": 400, "h": 40},
        ]})
        .to_string()
    };
    store
        .with_conn(|c| pages::set_ocr(c, &row.id, 0, Ok(&read(0))))
        .unwrap();
    let words = page_words(&store, &row.id).unwrap();
    assert_eq!(words.len(), 2);
    assert_eq!(words[1].text, "61.2-123/2026");
    assert!((words[1].left - 0.5).abs() < 1e-6 && (words[1].top - 0.1).abs() < 1e-6);
    assert!((words[1].width - 0.4).abs() < 1e-6 && (words[1].height - 0.02).abs() < 1e-6);

    // Turned by the user: the old boxes are not offered.
    batches::edit_page(&store, &row.id, eingang_model::PageEdit::Rotation(1)).unwrap();
    assert!(page_words(&store, &row.id).unwrap().is_empty());
    // Read again turned: the page as shown is 2,000 wide and 1,000 high.
    assert!(store
        .with_conn(|c| pages::set_ocr(c, &row.id, 1, Ok(&read(1))))
        .unwrap());
    let words = page_words(&store, &row.id).unwrap();
    assert!((words[1].left - 0.25).abs() < 1e-6 && (words[1].top - 0.2).abs() < 1e-6);
}
