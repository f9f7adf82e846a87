"""The words of the seeded records: model names from DOMAIN.md's examples and plausible
variants, exemplars' achievements, what citizens come about, dialogue topics."""

from __future__ import annotations

from dataclasses import dataclass

from danvan.contracts.reception import PetitionClass, Sector
from danvan.contracts.registry import ModelField


@dataclass(frozen=True, slots=True)
class ModelIdea:
    name: str
    field: ModelField
    topics: tuple[str, ...]
    target_group: str
    criterion: str


ECONOMY = ModelField.ECONOMY
SOCIETY = ModelField.CULTURE_SOCIETY
SECURITY = ModelField.DEFENCE_SECURITY
POLITICS = ModelField.POLITICAL_SYSTEM

#: The seeds' own examples first (DOMAIN.md section 1), then variants of the same kinds.
MODEL_IDEAS: tuple[ModelIdea, ...] = (
    ModelIdea(
        "Cổng trường an toàn văn minh",
        SOCIETY,
        ("civilised_urban_areas",),
        "Học sinh, phụ huynh",
        "Không còn hàng quán lấn chiếm cổng trường",
    ),
    ModelIdea(
        "Bóng đèn an ninh",
        SECURITY,
        (),
        "Các hộ gia đình trong tổ dân phố",
        "Mỗi ngõ có đèn chiếu sáng ban đêm",
    ),
    ModelIdea(
        "Vì môi trường mạng xã hội bình yên",
        SECURITY,
        ("digital_transformation",),
        "Thanh niên, người dùng mạng xã hội",
        "Gỡ bỏ tin giả trong 24 giờ",
    ),
    ModelIdea(
        "Dân vận khéo trong vận động Nhân dân bàn giao mặt bằng để thi công công trình",
        ECONOMY,
        ("land_clearance",),
        "Các hộ dân trong phạm vi dự án",
        "Bàn giao mặt bằng đúng tiến độ",
    ),
    ModelIdea(
        "Hàng cây đại đoàn kết",
        SOCIETY,
        ("new_rural_areas",),
        "Nhân dân thôn, xóm",
        "Trồng và chăm sóc cây xanh trên các tuyến đường",
    ),
    ModelIdea(
        "Vận động Nhân dân xóa điểm tập kết rác, xây dựng vườn hoa, sân chơi",
        SOCIETY,
        ("civilised_urban_areas",),
        "Nhân dân khu dân cư",
        "Không còn điểm tập kết rác tự phát",
    ),
    ModelIdea(
        "Ngõ, xóm liên gia tự quản",
        SECURITY,
        (),
        "Các hộ liên gia",
        "Không có tội phạm, tệ nạn xã hội trong ngõ",
    ),
    ModelIdea(
        "Camera an ninh khu dân cư",
        SECURITY,
        ("digital_transformation",),
        "Các hộ gia đình",
        "Lắp camera tại các ngõ, ngách",
    ),
    ModelIdea(
        "Tuyến phố văn minh, đường hoa xanh, sạch, đẹp",
        SOCIETY,
        ("civilised_urban_areas",),
        "Hộ kinh doanh, cư dân ven phố",
        "Vỉa hè thông thoáng, không lấn chiếm",
    ),
    ModelIdea(
        "Hiến đất mở rộng đường giao thông nông thôn",
        ECONOMY,
        ("new_rural_areas", "land_clearance"),
        "Các hộ dân ven đường",
        "Mặt đường rộng tối thiểu 5 m",
    ),
    ModelIdea(
        "Chi hội phụ nữ giúp nhau phát triển kinh tế",
        ECONOMY,
        (),
        "Hội viên phụ nữ",
        "Giảm số hộ nghèo trong chi hội",
    ),
    ModelIdea(
        "Tổ công nghệ số cộng đồng",
        POLITICS,
        ("digital_transformation", "administrative_reform"),
        "Người cao tuổi, người dân",
        "Hướng dẫn người dân dùng dịch vụ công trực tuyến",
    ),
    ModelIdea(
        "Bộ phận một cửa thân thiện, vì Nhân dân phục vụ",
        POLITICS,
        ("administrative_reform",),
        "Người dân, doanh nghiệp đến làm thủ tục",
        "Không có hồ sơ trễ hạn",
    ),
    ModelIdea(
        "Xứ, họ đạo bình yên",
        SECURITY,
        ("religious_communities",),
        "Đồng bào Công giáo",
        "Không có vụ việc phức tạp về an ninh trật tự",
    ),
    ModelIdea(
        "Đồng bào dân tộc thiểu số giúp nhau giảm nghèo bền vững",
        ECONOMY,
        ("ethnic_minorities",),
        "Đồng bào dân tộc thiểu số",
        "Tỷ lệ hộ nghèo giảm mỗi năm",
    ),
    ModelIdea(
        "Thanh toán không dùng tiền mặt ở chợ truyền thống",
        ECONOMY,
        ("digital_transformation",),
        "Tiểu thương, người đi chợ",
        "Mọi quầy hàng có mã thanh toán",
    ),
    ModelIdea(
        "Dòng họ tự quản về an ninh trật tự",
        SECURITY,
        (),
        "Các dòng họ trong thôn",
        "Không có người vi phạm pháp luật",
    ),
    ModelIdea(
        "Ngày thứ bảy văn minh, sạch đẹp",
        SOCIETY,
        ("civilised_urban_areas",),
        "Đoàn viên, hội viên, nhân dân",
        "Ra quân vệ sinh môi trường mỗi tuần",
    ),
    ModelIdea(
        "Dân vận khéo trong xây dựng nông thôn mới nâng cao",
        ECONOMY,
        ("new_rural_areas",),
        "Nhân dân trong xã",
        "Đạt chuẩn nông thôn mới nâng cao",
    ),
    ModelIdea(
        "Chi bộ gương mẫu, gần dân, sát dân",
        POLITICS,
        (),
        "Đảng viên, nhân dân",
        "Tổ chức đối thoại với nhân dân mỗi quý",
    ),
)

#: Where a model is carried out, below the commune (DOMAIN.md: thôn, tổ dân phố, ngõ, xóm).
LOCALITY_KINDS = ("Tổ dân phố số", "Thôn", "Khu dân cư số", "Xóm", "Ngõ")
IMPLEMENTING_FORCES = (
    "Mặt trận Tổ quốc, Hội Phụ nữ, Đoàn Thanh niên",
    "Hội Cựu chiến binh, Công an xã",
    "Chi bộ, Ban công tác Mặt trận khu dân cư",
    "Hội Nông dân, Hội Phụ nữ",
    "Tổ dân vận, các đoàn thể",
)

#: Exemplars' achievements, with numbers drawn per record.
ACHIEVEMENTS: tuple[tuple[str, ModelField], ...] = (
    ("Vận động {n} hộ hiến {m} m² đất mở rộng đường làng", ECONOMY),
    ("Vận động {n} hộ bàn giao mặt bằng đúng tiến độ dự án", ECONOMY),
    ("Giúp {n} hộ nghèo có việc làm, thoát nghèo", ECONOMY),
    ("Vận động xây dựng {n} nhà đại đoàn kết", SOCIETY),
    ("Duy trì lớp học tình thương cho {n} trẻ em", SOCIETY),
    ("Vận động {n} hộ phân loại rác tại nguồn", SOCIETY),
    ("Hòa giải thành công {n} vụ việc mâu thuẫn trong khu dân cư", SECURITY),
    ("Phát hiện, tố giác {n} vụ việc vi phạm pháp luật", SECURITY),
    ("Hướng dẫn {n} người dân dùng dịch vụ công trực tuyến", POLITICS),
    ("Vận động {n} đoàn viên, hội viên tham gia xây dựng Đảng, chính quyền", POLITICS),
)
COLLECTIVES = (
    "Chi hội Phụ nữ",
    "Chi đoàn Thanh niên",
    "Chi hội Cựu chiến binh",
    "Ban công tác Mặt trận",
    "Tổ hòa giải",
    "Tổ dân vận",
    "Chi hội Nông dân",
)

#: What a citizen comes about, by sector (the matter of a visit, the summary of a petition).
MATTERS: dict[Sector, tuple[str, ...]] = {
    Sector.LAND: (
        "Tranh chấp ranh giới đất với hộ liền kề",
        "Cấp giấy chứng nhận quyền sử dụng đất",
        "Lấn chiếm đất công tại khu dân cư",
        "Xây dựng công trình trái phép trên đất nông nghiệp",
    ),
    Sector.COMPENSATION: (
        "Đơn giá bồi thường giải phóng mặt bằng dự án đường",
        "Bố trí tái định cư khi thu hồi đất",
        "Hỗ trợ chuyển đổi nghề khi thu hồi đất nông nghiệp",
    ),
    Sector.SOCIAL_POLICY: (
        "Chế độ chính sách người có công",
        "Trợ cấp xã hội cho người cao tuổi",
        "Xét hộ nghèo, cận nghèo",
        "Bảo hiểm xã hội cho người lao động",
    ),
    Sector.CORRUPTION: (
        "Cán bộ nhũng nhiễu khi giải quyết thủ tục",
        "Sai phạm trong quản lý kinh phí xây dựng nhà văn hóa",
        "Thu sai quy định các khoản đóng góp",
    ),
    Sector.ADMINISTRATION: (
        "Chậm giải quyết hồ sơ hành chính",
        "Ô nhiễm môi trường do cơ sở sản xuất",
        "Trật tự đô thị, lấn chiếm vỉa hè",
        "Tiếng ồn, trật tự công cộng ở khu dân cư",
    ),
    Sector.JUSTICE: (
        "Thi hành án dân sự chậm",
        "Kết quả hòa giải tranh chấp ở cơ sở",
    ),
    Sector.OTHER: (
        "Kiến nghị sửa chữa đường, cống thoát nước",
        "Đề nghị lắp đèn chiếu sáng ngõ",
    ),
}

#: How a petition of each class begins its summary.
CLASS_VERBS: dict[PetitionClass, str] = {
    PetitionClass.COMPLAINT: "Khiếu nại về",
    PetitionClass.DENUNCIATION: "Tố cáo về",
    PetitionClass.RECOMMENDATION: "Kiến nghị về",
    PetitionClass.FEEDBACK: "Phản ánh về",
    PetitionClass.MIXED: "Khiếu nại, kiến nghị về",
}
RESPONDENTS = (
    "Ủy ban nhân dân xã",
    "Ban Quản lý dự án đầu tư xây dựng",
    "Văn phòng đăng ký đất đai",
    "Trung tâm phát triển quỹ đất",
    "Cán bộ địa chính",
    "Công ty cổ phần môi trường đô thị",
)
FORWARDING_BODIES = (
    "Ban Tiếp công dân Trung ương",
    "Văn phòng Đoàn đại biểu Quốc hội",
    "Thanh tra tỉnh",
    "Ủy ban Mặt trận Tổ quốc",
    "Báo Nhân Dân",
)
COMPETENT_BODIES = (
    "Tòa án nhân dân",
    "Cơ quan Cảnh sát điều tra",
    "Sở Tài nguyên và Môi trường",
    "Sở Lao động - Thương binh và Xã hội",
    "Thanh tra tỉnh",
)
NOT_ELIGIBLE_REASONS = (
    "Đơn không ghi rõ họ tên, địa chỉ người gửi",
    "Nội dung đã được giải quyết đúng pháp luật, không có tình tiết mới",
    "Đã quá thời hiệu khiếu nại",
)
WITHDRAW_REASONS = (
    "Người gửi đơn đã được giải thích và tự nguyện rút đơn",
    "Các bên đã hòa giải thành",
)

DIALOGUE_TOPICS = (
    "Giải phóng mặt bằng và tái định cư dự án",
    "Chỉnh trang đô thị và trật tự vỉa hè",
    "Xây dựng nông thôn mới",
    "Cải cách hành chính, dịch vụ công trực tuyến",
    "Vệ sinh môi trường, thu gom rác thải",
    "An ninh trật tự khu dân cư",
    "Thực hiện dân chủ ở cơ sở",
    "Chính sách an sinh xã hội",
)
FOLLOW_UPS = (
    ("Lắp đèn chiếu sáng các ngõ", "Phòng Kinh tế, Hạ tầng và Đô thị"),
    ("Nạo vét cống thoát nước khu dân cư", "Ban Quản lý dự án"),
    ("Trả lời bằng văn bản về đơn giá bồi thường", "Trung tâm phát triển quỹ đất"),
    ("Rà soát danh sách hộ nghèo", "Phòng Văn hóa - Xã hội"),
    ("Xử lý điểm tập kết rác tự phát", "Công ty môi trường đô thị"),
    ("Công khai quy hoạch sử dụng đất", "Phòng Tài nguyên và Môi trường"),
)
