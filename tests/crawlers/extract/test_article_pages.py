"""Every article page against values read off it by hand (one parametrised test, fundus-style).

Saved pages are real ones, read in place from ../shared/fixtures/sites; the pages we wrote for
sites with no saved page live in tests/fixtures/sites. Each expected value was read from the
page's HTML, not from the extractor:

- url: ``<link rel=canonical>``; the page is "fetched" from that URL with a feed's tracking
  query and a fragment added, so the canonical must come from the page itself.
- title: the headline the page shows (``h1``). Người Lao Động's og:title and JSON-LD carry an
  SEO variant ("... quy định thuế mới"); the h1 says "... quy định mới về thuế".
- lead: the sapo, without the agency dateline some sites put in front ("(Dân trí) - ",
  "TPO - ", "(NLĐO)- ", "(Chinhphu.vn) - ", "VOV.VN - ", "KTĐT - ").
- published_at: JSON-LD ``datePublished``, else ``article:published_time``, else the date
  printed by the headline; all these pages state +07:00 or nothing (site time, +07:00).
  Tuổi Trẻ's JSON-LD says 08:01:00, its article:published_time 08:01:53; the page prints
  08:01, so JSON-LD's value is expected.
- author: the byline as printed (several joined by ", "); Báo Chính phủ prints none.
- section: the site's top-level category (the breadcrumb's first step below the home page);
  VnExpress's ``articleSection`` meta names the leaf folder ("Tin tức"), not the section.
- paragraphs / first / last: body paragraphs, subheadings and boxed sections included; no
  title, lead, captions, related-article boxes or byline. Tiền Phong's page is a photo
  story: its captions are its text.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawlers.extract import extract_article
from crawlers.sources import ArticleSelectors, Source, load_sources
from indexer.documents import Article, article_id
from tests.shared import site_fixture

OUR_SITES = Path(__file__).resolve().parents[2] / "fixtures" / "sites"
SITE_TIME = timezone(timedelta(hours=7))  # every page here states +07:00, or no zone at all
CRAWLED_AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FIELDS = ("url", "title", "lead", "published_at", "author", "section", "paragraphs", "first",
          "last")  # fmt: skip


def at(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    """A time as the page gives it, in site time (+07:00)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SITE_TIME)


@dataclass(frozen=True)
class Expected:
    site: str
    file: str
    url: str
    title: str
    lead: str | None
    published_at: datetime
    author: str | None
    section: str | None
    paragraphs: int
    first: str
    last: str

    @property
    def saved(self) -> bool:
        return self in SAVED_PAGES

    def path(self) -> Path:
        if self.saved:
            return site_fixture(self.site, self.file)
        return OUR_SITES / self.site / self.file

    def values(self) -> dict[str, object]:
        return {f: _nfc(getattr(self, f)) for f in FIELDS}


SAVED_PAGES = [
    Expected(
        site="vnexpress.net",
        file="article-cach-cac-nuoc-doi-pho-cu-soc-nang-luong-tu-trung-dong-5047363.html",
        url=(
            "https://vnexpress.net/cach-cac-nuoc-doi-pho-cu-soc-nang-luong-tu-trung-dong-5047363.html"
        ),
        title="Cách các nước đối phó cú sốc năng lượng từ Trung Đông",
        lead=(
            "Trung Quốc, Nhật Bản, Thái Lan hạn chế xuất khẩu nhiên liệu, Ấn Độ tăng mua dầu "
            "Nga, còn Myanmar hạn chế xe lưu thông khi thị trường năng lượng gián đoạn."
        ),
        published_at=at(2026, 3, 7, 0, 5),
        author="Hà Thu",
        section="Kinh doanh",
        paragraphs=28,
        first=(
            "Xung đột giữa Mỹ - Israel với Iran đã bước sang ngày thứ 6, song chưa có dấu hiệu "
            "chấm dứt. Lãnh đạo Mỹ và Israel vài ngày qua đều ám chỉ chiến dịch tập kích Iran "
            "của họ có thể kéo dài nhiều tuần. Xung đột thậm chí lan ra nhiều quốc gia Trung "
            "Đông, gây gián đoạn hoạt động sản xuất và vận chuyển dầu thô trong khu vực."
        ),
        last=(
            "Trước mắt, cơ quan quản lý tăng kiểm tra tình hình nhập khẩu, dự trữ và phân phối "
            "của các doanh nghiệp đầu mối, đồng thời yêu cầu các đơn vị đảm bảo cung cấp đầy "
            "đủ xăng dầu cho hệ thống bán lẻ. Song song đó, lực lượng quản lý thị trường kiểm "
            "tra và xử lý các hành vi găm hàng, đầu cơ hoặc nâng giá bất hợp lý. Bộ Công "
            "Thương cũng kiến nghị Ngân hàng Nhà nước và các địa phương ưu tiên nguồn ngoại "
            "tệ, tín dụng cho doanh nghiệp kinh doanh xăng dầu nhằm phục vụ nhập khẩu trong "
            "bối cảnh thị trường thế giới biến động mạnh."
        ),
    ),
    Expected(
        site="vnexpress.net",
        file="article-dau-bung-keo-dai-phat-hien-ung-thu-lymphoma-ruot-non-4954454.html",
        url=(
            "https://vnexpress.net/dau-bung-keo-dai-phat-hien-ung-thu-lymphoma-ruot-non-4954454.html"
        ),
        title="Đau bụng kéo dài, phát hiện ung thư lymphoma ruột non",
        lead=(
            "Người đàn ông 63 tuổi đau bụng kéo dài, bác sĩ chẩn đoán ung thư lymphoma ruột "
            "non - căn bệnh ít gặp trong hệ tiêu hóa."
        ),
        published_at=at(2025, 10, 22, 19, 25, 52),
        author="Lê Phương",
        section="Sức khỏe",
        paragraphs=5,
        first=(
            "Ngày 22/10, BS.CK2 Cao Thị Hồng, Trưởng Trung tâm Kiểm tra sức khỏe Chợ Rẫy Việt "
            "Nhật (HECI), Bệnh viện Chợ Rẫy, cho biết bệnh nhân đau bụng âm ỉ, ăn uống khó "
            "tiêu, đầy hơi và tiêu chảy kéo dài nhiều tuần, sụt 2-3 kg. Ông nghĩ bị rối loạn "
            "tiêu hóa thông thường, song uống thuốc không khỏi."
        ),
        last=(
            "Nội soi và tầm soát sức khỏe định kỳ giúp phát hiện sớm các bệnh lý ác tính đường "
            "tiêu hóa. Hướng điều trị thường phụ thuộc vào loại cũng như giai đoạn bệnh, có "
            "thể phẫu thuật, hóa trị hoặc xạ trị."
        ),
    ),
    Expected(
        site="tuoitre.vn",
        file="article-chien-su-day-gia-hoa-nhap-khau-dip-8-3-tang-manh-20260307075519174.html",
        url=(
            "https://tuoitre.vn/chien-su-day-gia-hoa-nhap-khau-dip-8-3-tang-manh-20260307075519174.htm"
        ),
        title="Chiến sự đẩy giá hoa nhập khẩu dịp 8-3 tăng mạnh",
        lead=(
            "Xung đột ở khu vực Trung Đông khiến các shop hoa ghi nhận tình trạng hoa nhập "
            "khẩu khan hiếm, tăng giá do chi phí vận chuyển trong dịp lễ 8-3 năm nay."
        ),
        published_at=at(2026, 3, 7, 8, 1),
        author="NHẬT XUÂN, NGHI VŨ",
        section="Kinh doanh",
        paragraphs=26,
        first=(
            "Nhiều chuyến bay vận chuyển hoa từ các thị trường truyền thống như Hà Lan hay "
            "Ecuador không thể về đúng kế hoạch, khiến nguồn cung hoa nhập khẩu trở nên khan "
            "hiếm."
        ),
        last=(
            "Ngoài ra, cửa hàng cũng hướng sang các sản phẩm thay thế như hoa sáp hoặc bó quà "
            "từ rau củ. Những sản phẩm này có hình thức lạ mắt, vui nhộn và mang tính thiết "
            "thực nên được nhiều khách hàng lựa chọn, dù nhược điểm là rau củ tươi nên không "
            "thể bảo quản lâu như hoa."
        ),
    ),
    Expected(
        site="baochinhphu.vn",
        file="article-chinh-sach-moi-co-hieu-luc-tu-thang-3-2026-102260228093004191.html",
        url=(
            "https://baochinhphu.vn/chinh-sach-moi-co-hieu-luc-tu-thang-3-2026-102260228093004191.htm"
        ),
        title="Chính sách mới có hiệu lực từ tháng 3/2026",
        lead=(
            "Tháng 3/2026 có nhiều chính sách mới có hiệu lực, nổi bật là các quy định liên "
            "quan đến bất động sản; cư trú; tài khoản ngân hàng…"
        ),
        published_at=at(2026, 3, 1, 9, 51),
        author=None,
        section="Chính sách và cuộc sống",
        paragraphs=71,
        first="3 hình thức khai thác, sử dụng thông tin về nhà ở và thị trường bất động sản",
        last="- Đồng bào dân tộc thiểu số ở các xã đặc biệt khó khăn theo quy định của pháp luật.",
    ),
    Expected(
        site="dantri.com.vn",
        file=(
            "article-gia-vang-giam-van-cao-hon-the-gioi-gan-20-trieu-dongluong-20260307080054340.html"
        ),
        url=(
            "https://dantri.com.vn/kinh-doanh/gia-vang-giam-van-cao-hon-the-gioi-gan-20-trieu-dongluong-20260307080054340.htm"
        ),
        title="Giá vàng giảm, vẫn cao hơn thế giới gần 20 triệu đồng/lượng",
        lead=(
            "Giá vàng trong nước tiếp tục giảm, xuống mức 183,8 triệu đồng/lượng ở chiều bán "
            "ra với vàng miếng SJC. Tuy nhiên, giá này vẫn đắt hơn thế giới gần 20 triệu "
            "đồng/lượng."
        ),
        published_at=at(2026, 3, 7, 8, 7, 18),
        author="Tri Túc",
        section="Kinh doanh",
        paragraphs=12,
        first=(
            "Cụ thể, chốt phiên 6/3, giá vàng miếng SJC được niêm yết tại mức 180,8-183,8 "
            "triệu đồng/lượng (mua - bán), giảm 900.000 đồng/lượng mỗi chiều so với phiên "
            "trước đó. Tương tự, vàng nhẫn đang giao dịch tại mức 180,5-183,5 triệu đồng/lượng "
            "(mua - bán), giảm 900.000 đồng/lượng mỗi chiều."
        ),
        last=(
            "Tỷ giá USD tại Sở giao dịch Ngân hàng Nhà nước mua vào - bán ra tiếp tục tăng "
            "nhẹ, hiện ở mức: 23.855-26.259 đồng."
        ),
    ),
    Expected(
        site="nld.com.vn",
        file=(
            "article-nhung-sai-sot-ho-kinh-doanh-thuong-gap-khi-thuc-hien-quy-dinh-moi-ve-thue-196260307071308923.html"
        ),
        url=(
            "https://nld.com.vn/nhung-sai-sot-ho-kinh-doanh-thuong-gap-khi-thuc-hien-quy-dinh-moi-ve-thue-196260307071308923.htm"
        ),
        title="Những sai sót hộ kinh doanh thường gặp khi thực hiện quy định mới về thuế",
        lead=(
            "Không ít hộ kinh doanh chưa quen với việc quản lý dữ liệu và chứng từ điện tử, "
            "đặc biệt khi bắt đầu sử dụng hóa đơn điện tử hoặc phần mềm bán hàng."
        ),
        published_at=at(2026, 3, 7, 8, 6),
        author="Minh Chiến",
        section="Kinh tế",
        paragraphs=19,
        first=(
            "Chính phủ vừa ban hành Nghị định 68/2026/NĐ-CP quy định chính sách thuế và quản "
            "lý thuế đối với hộ kinh doanh, cá nhân kinh doanh (Nghị định 68), có hiệu lực từ "
            "ngày 5-3."
        ),
        last=(
            "Trước khi tính thuế, hộ kinh doanh, cá nhân được trừ mức doanh thu 500 triệu "
            "đồng/năm. Trường hợp có nhiều ngành nghề hoặc nhiều địa điểm kinh doanh, khoản "
            "trừ này có thể được phân bổ cho một hoặc nhiều hoạt động theo phương án có lợi "
            "nhất, nhưng tổng mức trừ không vượt quá 500 triệu đồng/năm."
        ),
    ),
    Expected(
        site="tienphong.vn",
        file="article-sieu-mau-noi-y-bi-mang-khap-mang-xa-hoi-post1874068.html",
        url="https://tienphong.vn/sieu-mau-noi-y-bi-mang-khap-mang-xa-hoi-post1874068.tpo",
        title="Siêu mẫu nội y bị mắng khắp mạng xã hội",
        lead=(
            'Tỉnh Bách Nhiên vừa nổi tiếng với bộ phim ngôn tình "Đầu xuân tươi sáng", bạn gái '
            "anh là siêu mẫu Lưu Văn bị chỉ trích tạo ra nhiều ý kiến trái chiều."
        ),
        published_at=at(2026, 9, 6, 15, 33, 28),
        author="Minh Vũ",
        section="Giải trí",
        paragraphs=9,
        first=(
            "Trang QQ đưa tin dù không tham gia đóng phim, siêu mẫu Lưu Văn cũng trở thành tâm "
            "điểm được bàn luận khi tác phẩm Đầu xuân tươi sáng bùng nổ. Siêu mẫu nội y bị chỉ "
            'trích vì đã "thả tim" bức hình bạn trai Tỉnh Bách Nhiên. Loạt hình ảnh được Tỉnh '
            "Bách Nhiên đăng trên trang mạng quốc tế Instagram."
        ),
        last=(
            "Xét về độ nổi tiếng quốc tế và vị thế nghề nghiệp, Lưu Văn bỏ xa Tỉnh Bách Nhiên. "
            "Cô có hơn 5,8 triệu người theo dõi trên Instagram, còn nam diễn viên chỉ đạt "
            "khoảng một triệu. Từ năm 2013, Lưu Văn liên tục có tên trong Top 10 người mẫu đắt "
            "giá nhất thế giới do tạp chí Forbes công bố."
        ),
    ),
    Expected(
        site="vietnamnet.vn",
        file="article-co-phieu-flc-duoc-giao-dich-tro-lai-2495349.html",
        url="https://vietnamnet.vn/co-phieu-flc-duoc-giao-dich-tro-lai-2495349.html",
        title="Cổ phiếu FLC được giao dịch trở lại",
        lead=(
            "CTCP Tập đoàn FLC cho biết cổ phiếu FLC đã được giao dịch trở lại thông qua hệ "
            "thống lưu ký tại CTCP Chứng khoán Artex kể từ ngày 6/3/2026."
        ),
        published_at=at(2026, 3, 7, 8, 52, 11),
        author="Duy Anh",
        section="Kinh doanh",
        paragraphs=8,
        first=(
            "Theo thông báo của doanh nghiệp, Chứng khoán Artex sẽ là đơn vị quản lý danh sách "
            "và sổ cổ đông của FLC sau khi công ty không còn là công ty đại chúng."
        ),
        last=(
            "Cổ phiếu này sau đó chuyển sang giao dịch trên UPCoM nhưng tiếp tục bị hạn chế, "
            "đình chỉ do chậm công bố báo cáo tài chính (BCTC), trước khi bị hủy đăng ký giao "
            "dịch hoàn toàn."
        ),
    ),
]

OUR_PAGES = [
    Expected(
        site="thanhnien.vn",
        file=(
            "article-to-chuc-diem-thi-rieng-tung-truong-ke-ho-tieu-cuc-ky-thi-tot-nghiep-thpt-185260712201942802.html"
        ),
        url=(
            "https://thanhnien.vn/to-chuc-diem-thi-rieng-tung-truong-ke-ho-tieu-cuc-ky-thi-tot-nghiep-thpt-185260712201942802.htm"
        ),
        title="Tổ chức điểm thi riêng từng trường: cần minh bạch để tránh tiêu cực",
        lead=(
            "Việc tổ chức điểm thi ngay tại từng trường phổ thông giúp thí sinh đỡ vất vả đi "
            "lại, nhưng nhiều giáo viên lo ngại khó bảo đảm sự khách quan nếu khâu giám sát "
            "không chặt."
        ),
        published_at=at(2026, 7, 12, 20, 19),
        author="Ngọc Long",
        section="Giáo dục",
        paragraphs=8,
        first=(
            "Năm nay, một số tỉnh đề xuất đặt điểm thi tốt nghiệp THPT tại chính trường mà thí "
            "sinh đang học, thay vì gom về các trường lớn ở trung tâm huyện như trước."
        ),
        last=(
            "Các điểm thi đặt tại trường phổ thông phải có cán bộ coi thi từ đơn vị khác đến, "
            "không để giáo viên của trường coi thi học sinh của chính mình."
        ),
    ),
    Expected(
        site="laodong.vn",
        file="article-cong-nhan-khu-cong-nghiep-bac-ninh-cho-nha-o-xa-hoi-1412345.html",
        url=(
            "https://laodong.vn/xa-hoi/cong-nhan-khu-cong-nghiep-bac-ninh-cho-nha-o-xa-hoi-1412345.ldo"
        ),
        title="Công nhân khu công nghiệp Bắc Ninh chờ nhà ở xã hội",
        lead=(
            "Hàng nghìn công nhân thuê trọ quanh các khu công nghiệp ở Bắc Ninh vẫn chờ suất "
            "nhà ở xã hội, trong khi nhiều dự án chậm tiến độ vì vướng giải phóng mặt bằng."
        ),
        published_at=at(2026, 5, 14, 9, 30),
        author="Hải Nguyễn",
        section="Xã hội",
        paragraphs=5,
        first=(
            "Chị Nguyễn Thị Mai, công nhân một doanh nghiệp điện tử ở Yên Phong, đã nộp hồ sơ "
            "mua nhà ở xã hội từ đầu năm ngoái nhưng đến nay vẫn chưa nhận được thông báo xét "
            "duyệt."
        ),
        last=(
            "Đại diện Liên đoàn Lao động tỉnh kiến nghị ưu tiên quỹ đất sạch cho nhà ở công "
            "nhân và rút ngắn thời gian thẩm định hồ sơ xuống còn 30 ngày."
        ),
    ),
    Expected(
        site="vov.vn",
        file="article-ha-noi-lay-y-kien-nguoi-dan-ve-phuong-an-cam-xe-may-xang-post1123456.html",
        url=(
            "https://vov.vn/xa-hoi/ha-noi-lay-y-kien-nguoi-dan-ve-phuong-an-cam-xe-may-xang-post1123456.vov"
        ),
        title="Hà Nội lấy ý kiến người dân về phương án hạn chế xe máy xăng",
        lead=(
            "Sáng 2/6, UBND TP Hà Nội bắt đầu lấy ý kiến người dân về lộ trình hạn chế xe máy "
            "chạy xăng trong vành đai 1, dự kiến kéo dài 30 ngày."
        ),
        published_at=at(2026, 6, 2, 7, 15),
        author="Thu Hằng",
        section="Xã hội",
        paragraphs=4,
        first=(
            "Theo dự thảo, từ giữa năm 2027, xe máy chạy xăng sẽ bị hạn chế lưu thông trong "
            "vành đai 1 vào giờ cao điểm sáng và chiều, trừ xe của người dân có hộ khẩu trong "
            "khu vực."
        ),
        last=(
            "Sở Giao thông vận tải cho biết thành phố sẽ nghiên cứu chính sách hỗ trợ đổi xe "
            "cho hộ nghèo, hộ cận nghèo và tăng tần suất xe buýt trên các tuyến vào trung tâm."
        ),
    ),
    Expected(
        site="kinhtedothi.vn",
        file="article-ha-noi-mo-rong-mo-hinh-cho-dan-sinh-an-toan-thuc-pham-512345.html",
        url=(
            "https://kinhtedothi.vn/ha-noi-mo-rong-mo-hinh-cho-dan-sinh-an-toan-thuc-pham-512345.html"
        ),
        title="Hà Nội mở rộng mô hình chợ dân sinh an toàn thực phẩm",
        lead=(
            "Sau hai năm thí điểm tại 12 chợ, Hà Nội sẽ nhân rộng mô hình chợ dân sinh bảo đảm "
            "an toàn thực phẩm ra 60 chợ trong năm nay."
        ),
        published_at=at(2026, 5, 14, 6, 45),
        author="Phương Anh",
        section="Đô thị",
        paragraphs=4,
        first=(
            "Các chợ tham gia mô hình phải bố trí khu vực kinh doanh thực phẩm tươi sống "
            "riêng, có nguồn nước sạch, hệ thống thoát nước và nơi thu gom rác thải hằng ngày."
        ),
        last=(
            "Sở Công Thương đề nghị các quận, huyện bố trí kinh phí cải tạo chợ xuống cấp và "
            "công khai kết quả kiểm tra an toàn thực phẩm tại cổng chợ để người dân giám sát."
        ),
    ),
    Expected(
        site="hanoimoi.vn",
        file="article-phuong-hoan-kiem-doi-thoai-voi-ho-kinh-doanh-ve-via-he-712345.html",
        url="https://hanoimoi.vn/phuong-hoan-kiem-doi-thoai-voi-ho-kinh-doanh-ve-via-he-712345.html",
        title="Phường Hoàn Kiếm đối thoại với hộ kinh doanh về sử dụng vỉa hè",
        lead=(
            "Hơn 80 hộ kinh doanh trên các tuyến phố cổ đã đối thoại với chính quyền phường về "
            "quy định thu phí sử dụng tạm thời vỉa hè, áp dụng từ tháng 7."
        ),
        published_at=at(2026, 6, 20, 18, 10, 42),
        author="Bảo Lâm",
        section="Đô thị",
        paragraphs=4,
        first=(
            "Tại buổi đối thoại chiều 20/6, nhiều hộ kinh doanh đồng tình với việc sắp xếp lại "
            "vỉa hè nhưng đề nghị mức phí tính theo mét vuông thực tế sử dụng, không tính cả "
            "mặt tiền."
        ),
        last=(
            "Phường cam kết tiếp thu các kiến nghị, gửi lên thành phố trước ngày 30/6 và tổ "
            "chức thêm một buổi đối thoại sau khi có kết quả điều chỉnh."
        ),
    ),
]


ALL_PAGES = SAVED_PAGES + OUR_PAGES


def _nfc(value: object) -> object:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def source_for(site: str) -> Source:
    return next(s for s in load_sources().values() if site in s.domains)


def extract(page: Expected, source: Source | None = None) -> Article:
    html = page.path().read_text(encoding="utf-8")
    fetched_from = f"{page.url}?utm_source=rss&utm_medium=feed#box_comment"
    return extract_article(html, fetched_from, source or source_for(page.site), CRAWLED_AT)


def observed(article: Article) -> dict[str, object]:
    paragraphs = article.text.split("\n\n")
    return {
        "url": article.url, "title": article.title, "lead": article.lead,
        "published_at": article.published_at, "author": article.author,
        "section": article.section, "paragraphs": len(paragraphs), "first": paragraphs[0],
        "last": paragraphs[-1],
    }  # fmt: skip


def field_score(pages: list[Expected], generic_only: bool = False) -> dict[str, tuple[int, int]]:
    """Per field: (right, checked) over ``pages``; ``generic_only`` drops site selectors."""
    score = {f: (0, 0) for f in FIELDS}
    for page in pages:
        source = source_for(page.site)
        if generic_only:
            source = source.model_copy(update={"selectors": ArticleSelectors()})
        got, want = observed(extract(page, source)), page.values()
        for f in FIELDS:
            right, checked = score[f]
            score[f] = (right + (got[f] == want[f]), checked + 1)
    return score


def _page_id(page: Expected) -> str:
    return f"{page.site}/{page.file[:40]}"


@pytest.mark.parametrize("page", ALL_PAGES, ids=_page_id)
def test_article_page(page: Expected) -> None:
    article = extract(page)
    assert observed(article) == page.values()
    assert article.id == article_id(page.url)
    assert article.source == page.site
    assert article.source_name == source_for(page.site).name
    assert article.crawled_at == CRAWLED_AT
    assert article.title not in article.text
    assert article.lead is None or article.lead not in article.text


def test_vnexpress_4954454_agrees_with_fundus() -> None:
    """fundus counts the image caption as a body paragraph; we leave captions out."""
    page = next(p for p in SAVED_PAGES if p.file.endswith("-4954454.html"))
    fundus = json.loads(site_fixture(page.site, "article-4954454.fundus-expected.json").read_text(
        encoding="utf-8"))["V1"]  # fmt: skip
    captions = {f"{i['caption']} Ảnh: {', '.join(i['authors'])}" for i in fundus["images"]}
    fundus_paragraphs = [
        p for s in fundus["body"]["sections"] for p in s["paragraphs"] if p not in captions
    ]
    article = extract(page)
    assert article.title == fundus["title"]
    assert article.text.split("\n\n") == fundus_paragraphs
    assert [article.lead] == fundus["body"]["summary"]
    assert article.author == ", ".join(fundus["authors"])
    assert article.published_at == datetime.fromisoformat(fundus["publishing_date"])


def test_accuracy_on_saved_pages(capsys: pytest.CaptureFixture[str]) -> None:
    """The figure bench/extraction_accuracy.py prints; every field is expected right."""
    score = field_score(SAVED_PAGES)
    right = sum(r for r, _ in score.values())
    checked = sum(c for _, c in score.values())
    with capsys.disabled():
        print(f"\nextraction accuracy on saved pages: {right}/{checked} fields right")
    assert right == checked, score


def test_site_selectors_fix_what_generic_extraction_gets_wrong() -> None:
    """Each site with selectors has a field the generic extraction alone gets wrong."""
    for page in ALL_PAGES:
        source = source_for(page.site)
        if source.selectors == ArticleSelectors():
            continue
        generic = field_score([page], generic_only=True)
        assert any(r < c for r, c in generic.values()), f"{page.site}: selectors not needed"
