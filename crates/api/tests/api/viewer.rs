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
